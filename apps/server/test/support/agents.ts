import { randomUUID } from 'node:crypto';
import type { AgentRecord } from '../../src/storage/types.js';

/**
 * An agent record for tests that write storage directly: agent `name` of workspace `ws`, builtin,
 * created and updated `at`, with prompt `p`, neither avatar nor phone number, and no signing secret
 * (as stored before signing existed); `extra` overrides any field.
 */
export const agentRecord = (ws: string, name: string, at: string, extra: Partial<AgentRecord> = {}): AgentRecord =>
  ({
    id: randomUUID(),
    workspace_id: ws,
    name,
    prompt: 'p',
    connector: { kind: 'builtin' },
    agent_type: 'inbound',
    avatar_url: null,
    phone_number: null,
    created_at: at,
    updated_at: at,
    signing_secret: null,
    previous_signing_secret: null,
    previous_signing_secret_expires_at: null,
    ...extra,
  }) as AgentRecord;
