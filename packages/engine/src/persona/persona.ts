import type { ConversationMessage } from '../types.js';

/** What the simulated caller does next: say something, end the call, or both (message first). */
export interface PersonaMove {
  message?: string;
  end_call: boolean;
}

export interface Persona {
  /** Called after every agent message; `conversation` ends with that message. */
  next(input: { conversation: ConversationMessage[]; signal: AbortSignal }): Promise<PersonaMove>;
}
