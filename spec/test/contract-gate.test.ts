/**
 * The contract's breaking-change gate (`pnpm contract:check`, `pnpm contract:snapshot`), on copies of
 * the real bundle with one change each: what must fail names the place, what is additive passes, and
 * the rule for publishing a breaking change on purpose holds.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundlePath, type JsonObject, loadBundle } from '../runtime/index.js';
import {
  breakingChanges,
  checkContract,
  checkFiles,
  compareVersions,
  contractDir,
  SNAPSHOT_FILE,
  STAMP_FILE,
  type Stamp,
  sha256,
  snapshotContract,
  snapshotFiles,
} from '../scripts/contract.js';

const published = loadBundle();
const schemas = (spec: any) => spec.components.schemas;
const changed = (mutate: (spec: any) => void, version?: string): JsonObject => {
  const spec: any = structuredClone(published);
  mutate(spec);
  if (version) spec.info.version = version;
  return spec;
};
// The stamp `pnpm contract:snapshot` would write for the bundle as it is.
const stamp = snapshotContract(published, undefined, undefined).files!.stamp;
const lastCategory = schemas(published).SimulationCaseTestCategory.enum.at(-1);

describe('breaking changes fail the check, naming the place', () => {
  it.each([
    {
      name: 'removing a path',
      mutate: (s: any) => delete s.paths['/simulation_scenarios/{scenario_id}'],
      place: 'DELETE /simulation_scenarios/{scenario_id}: operation removed',
      at: '#/paths/~1simulation_scenarios~1{scenario_id}/delete',
    },
    {
      name: 'removing a response field',
      mutate: (s: any) => {
        const suite = schemas(s).SimulationSuiteReadOut;
        delete suite.properties.workspace_id;
        suite.required = suite.required.filter((f: string) => f !== 'workspace_id');
      },
      place: 'GET /simulation_suites/{suite_id} › response 200 (application/json) › response: field `workspace_id` removed',
      at: '#/components/schemas/SimulationSuiteReadOut/properties/workspace_id',
    },
    {
      name: 'removing an enum value of a request body',
      mutate: (s: any) => schemas(s).SimulationCaseTestCategory.enum.pop(),
      place: `POST /simulation_cases/generate › request body (application/json) › include_tests[]: enum value "${lastCategory}" removed`,
      at: '#/components/schemas/SimulationCaseTestCategory/enum/',
    },
    {
      name: 'removing an enum value of a query parameter',
      mutate: (s: any) => schemas(s).SimulationStatus.enum.splice(schemas(s).SimulationStatus.enum.indexOf('failed'), 1),
      place: 'GET /simulations › query parameter `status`: enum value "failed" removed',
      at: '#/components/schemas/SimulationStatus/enum/',
    },
    {
      name: 'making an optional request field required',
      mutate: (s: any) => schemas(s).SimulationSuiteCreateIn.required.push('language'),
      place: 'POST /simulation_suites › request body (application/json): field `language` made required',
      at: '#/components/schemas/SimulationSuiteCreateIn/required/2',
    },
    {
      name: 'narrowing a request field (maxLength)',
      mutate: (s: any) => {
        schemas(s).SimulationSuiteCreateIn.properties.name.maxLength = 100;
      },
      place: 'POST /simulation_suites › request body (application/json) › name: `maxLength` changed from 200 to 100',
      at: '#/components/schemas/SimulationSuiteCreateIn/properties/name/maxLength',
    },
    {
      name: 'narrowing a request field (type)',
      mutate: (s: any) => {
        schemas(s).SimulationSuiteCreateIn.properties.model_id.type = 'integer';
      },
      place: 'POST /simulation_suites › request body (application/json) › model_id: `type` changed from "string" to "integer"',
      at: '#/components/schemas/SimulationSuiteCreateIn/properties/model_id/type',
    },
    {
      // api-smart-diff alone calls this non-breaking (it reverses its request rule for responses).
      name: 'changing the type of a response field',
      mutate: (s: any) => {
        schemas(s).SimulationSuiteReadOut.properties.name.type = 'integer';
      },
      place:
        'GET /simulation_suites/{suite_id} › response 200 (application/json) › response.name: `type` changed from "string" to "integer"',
      at: '#/components/schemas/SimulationSuiteReadOut/properties/name/type',
    },
    {
      // Request bodies are closed (additionalProperties: false): a client still sending it gets 422.
      name: 'removing an optional request field',
      mutate: (s: any) => delete schemas(s).SimulationSuiteCreateIn.properties.language,
      place: 'POST /simulation_suites › request body (application/json): field `language` removed',
      at: '#/components/schemas/SimulationSuiteCreateIn/properties/language',
    },
    {
      name: 'removing a query parameter',
      mutate: (s: any) => s.paths['/simulations'].get.parameters.shift(),
      place: 'GET /simulations › query parameter `page_number`: parameter removed',
      at: '#/paths/~1simulations/get/parameters/0',
    },
    {
      // Strict clients of the reference refuse a value they do not know (spec/README.md, decision 18).
      name: 'adding an enum value to a response',
      mutate: (s: any) => schemas(s).SimulationStatus.enum.push('queued'),
      place: 'GET /simulations › response 200 (application/json) › response.items[].status: enum value "queued" added',
      at: '#/components/schemas/SimulationStatus/enum/3',
    },
    {
      name: 'a change the diff tool cannot classify (the status of an error code)',
      mutate: (s: any) => {
        schemas(s).ErrorCode['x-status'].not_found = 410;
      },
      place:
        'POST /simulation_cases › response 404 (application/json) › error.code: `not_found` changed from 404 to 410 [not classified by the diff tool: treated as breaking]',
      at: '#/components/schemas/ErrorCode/x-status/not_found',
    },
    {
      // In a webhook the API is the client: what the agent answers is what we accept.
      name: 'no longer accepting a field of the webhook answer',
      mutate: (s: any) => delete schemas(s).AgentTurnReply.properties.end_call,
      place: 'webhook agentTurn (POST) › the agent’s answer (application/json): field `end_call` removed',
      at: '#/components/schemas/AgentTurnReply/properties/end_call',
    },
  ])('$name', ({ mutate, place, at }) => {
    const current = changed(mutate);
    const outcome = checkContract(current, published, stamp);
    expect(outcome.ok).toBe(false);
    expect(outcome.report).toContain('breaking change(s) against the published 2.0.0');
    const cut = place.indexOf(': ', place.lastIndexOf('›'));
    const [what, where] = [place.slice(0, cut), place.slice(cut + 2)];
    expect(outcome.report).toContain(`  - ${where}, at ${at}`);
    expect(outcome.report).toContain(`      in ${what}`);
    expect(outcome.report).toContain('raise the major version of info.version');
  });
});

describe('additions and documentation pass', () => {
  it.each([
    {
      name: 'an operation',
      mutate: (s: any) => {
        const item = s.paths['/simulation_scenarios/{scenario_id}'];
        item.patch = { ...structuredClone(item.put), operationId: 'patchSimulationScenario' };
      },
    },
    {
      name: 'a path',
      mutate: (s: any) => (s.paths['/health_details'] = { get: { ...structuredClone(s.paths['/health'].get), operationId: 'x' } }),
    },
    {
      name: 'an optional request field',
      mutate: (s: any) => (schemas(s).SimulationSuiteCreateIn.properties.note = { type: 'string', maxLength: 10 }),
    },
    {
      name: 'a response field, always sent',
      mutate: (s: any) => {
        schemas(s).SimulationSuiteReadOut.properties.note = { type: 'string' };
        schemas(s).SimulationSuiteReadOut.required.push('note');
      },
    },
    {
      name: 'a field of the webhook request, always sent',
      mutate: (s: any) => {
        schemas(s).AgentTurnRequest.properties.turn = { type: 'integer' };
        schemas(s).AgentTurnRequest.required.push('turn');
      },
    },
    { name: 'a wider request limit', mutate: (s: any) => (schemas(s).SimulationSuiteCreateIn.properties.name.maxLength = 400) },
    {
      name: 'descriptions',
      mutate: (s: any) => {
        s.info.description = 'Reworded.';
        schemas(s).SimulationSuiteCreateIn.description = 'Reworded.';
      },
    },
    {
      name: 'another example for a response',
      mutate: (s: any) => {
        s.components.examples.AgentJustMade = structuredClone(s.components.examples.Agent);
        s.paths['/agents'].post.responses['200'].content['application/json'].examples.created.$ref = '#/components/examples/AgentJustMade';
      },
    },
    {
      name: 'a tag, before the last one',
      mutate: (s: any) => {
        s.tags.splice(s.tags.length - 1, 0, { name: 'Webhooks', description: 'Signed events.' });
      },
    },
  ])('adding $name', ({ mutate }) => {
    const outcome = checkContract(changed(mutate), published, stamp);
    expect(outcome).toEqual({
      ok: true,
      report: 'contract: no breaking change against the published 2.0.0 (additions or documentation only).',
    });
  });

  it('fails on closing a request body that was open (api-smart-diff alone calls it non-breaking)', () => {
    const open: any = structuredClone(published);
    delete open.components.schemas.SimulationSuiteCreateIn.additionalProperties;
    const outcome = checkContract(published, open, snapshotContract(open, undefined, undefined).files!.stamp);
    expect(outcome.ok).toBe(false);
    expect(outcome.report).toContain(
      '  - `additionalProperties` false added, at #/components/schemas/SimulationSuiteCreateIn/additionalProperties',
    );
    expect(outcome.report).toContain('      in POST /simulation_suites › request body (application/json)\n');
  });

  it('passes the unchanged bundle as identical', () => {
    expect(checkContract(published, published, stamp)).toEqual({
      ok: true,
      report: 'contract: no breaking change against the published 2.0.0 (identical).',
    });
  });
});

describe('publishing a breaking change on purpose', () => {
  const removeOperation = (s: any) => delete s.paths['/simulation_scenarios/{scenario_id}'].delete;

  it('passes after a new major version and a re-snapshot, recording what it accepted', () => {
    const current = changed(removeOperation, '3.0.0');
    const snapshot = snapshotContract(current, published, stamp);
    expect(snapshot.ok).toBe(true);
    expect(snapshot.report).toContain('snapshot 2.0.0 → 3.0.0, accepting 1 breaking change(s)');
    const files = snapshot.files!;
    expect(files.stamp).toMatchObject({ version: '3.0.0', previous_version: '2.0.0', sha256: sha256(current) });
    expect(files.stamp.accepted_breaking_changes).toEqual([
      'DELETE /simulation_scenarios/{scenario_id}: operation removed (#/paths/~1simulation_scenarios~1{scenario_id}/delete)',
    ]);
    expect(checkContract(current, files.snapshot, files.stamp).ok).toBe(true);
  });

  it('fails while only info.version is bumped and the snapshot is stale', () => {
    const outcome = checkContract(changed(removeOperation, '3.0.0'), published, stamp);
    expect(outcome.ok).toBe(false);
    expect(outcome.report).toContain('info.version is 3.0.0 but the snapshot is still 2.0.0: run `pnpm contract:snapshot`');
  });

  it('refuses to snapshot a breaking change under a minor version, listing it', () => {
    const outcome = snapshotContract(changed(removeOperation, '2.1.0'), published, stamp);
    expect(outcome.ok).toBe(false);
    expect(outcome.files).toBeUndefined();
    expect(outcome.report).toContain('1 breaking change(s) need a new major version (published 2.0.0, now 2.1.0)');
    expect(outcome.report).toContain('in DELETE /simulation_scenarios/{scenario_id}');
  });

  it('refuses to snapshot any change under the published version: a published contract never changes', () => {
    const addition = (s: any) => (schemas(s).SimulationSuiteCreateIn.properties.note = { type: 'string' });
    const same = snapshotContract(changed(addition), published, stamp);
    expect(same.ok).toBe(false);
    expect(same.report).toContain('2.0.0 is published and never changes: raise info.version');
    expect(snapshotContract(changed(addition, '2.1.0'), published, stamp).ok).toBe(true);
    expect(snapshotContract(changed(addition, '1.9.0'), published, stamp).ok).toBe(false);
  });

  it('fails on a snapshot that pnpm contract:snapshot did not write (copied over, or edited by hand)', () => {
    const current = changed(removeOperation, '3.0.0');
    const copied = checkContract(current, current, stamp);
    expect(copied.ok).toBe(false);
    expect(copied.report).toContain('published.json is not the file `pnpm contract:snapshot` wrote');
    expect(checkContract(published, published, undefined).report).toContain('published.stamp.json is missing');
    expect(snapshotContract(current, current, stamp).ok).toBe(false);
  });

  it('fails when info.version goes below the published one', () => {
    const outcome = checkContract(
      changed(() => {}, '1.0.0'),
      published,
      stamp,
    );
    expect(outcome).toEqual({
      ok: false,
      report: 'contract: info.version 1.0.0 is not a semantic version at or above the published 2.0.0.',
    });
  });

  it('orders versions by semantic-version precedence', () => {
    expect(compareVersions('2.0.0', '2.0.0')).toBe(0);
    expect(compareVersions('2.10.0', '2.9.9')).toBe(1);
    expect(compareVersions('3.0.0-beta.1', '3.0.0')).toBe(-1);
    expect(compareVersions('2.0', '2.0.0')).toBeNaN();
  });
});

describe('files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sims-contract-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('snapshots once, then checks, and refuses a hand-edited snapshot', () => {
    expect(checkFiles(bundlePath, dir).report).toContain('run `pnpm contract:snapshot` once');
    expect(snapshotFiles(bundlePath, dir)).toEqual({ ok: true, report: `contract: first snapshot, version 2.0.0.` });
    expect(JSON.parse(readFileSync(join(dir, SNAPSHOT_FILE), 'utf8'))).toEqual(published);
    expect(checkFiles(bundlePath, dir).ok).toBe(true);
    const edited = changed((s: any) => delete s.paths['/health']);
    writeFileSync(join(dir, SNAPSHOT_FILE), JSON.stringify(edited, null, 2));
    expect(checkFiles(bundlePath, dir).ok).toBe(false);
  });

  it('keeps the committed snapshot as pnpm contract:snapshot wrote it', () => {
    const committed = JSON.parse(readFileSync(join(contractDir, SNAPSHOT_FILE), 'utf8'));
    const committedStamp = JSON.parse(readFileSync(join(contractDir, STAMP_FILE), 'utf8')) as Stamp;
    expect(committedStamp.sha256).toBe(sha256(committed));
    expect(committedStamp.version).toBe(committed.info.version);
  });

  it('lists each breaking change of a shared schema at every operation that uses it', () => {
    const changes = breakingChanges(
      published,
      changed((s: any) => schemas(s).SimulationSuiteReadOut.required.splice(0, 1)),
    );
    expect(new Set(changes.map((c) => c.operation))).toEqual(
      new Set(['POST /simulation_suites', 'GET /simulation_suites/{suite_id}', 'PUT /simulation_suites/{suite_id}']),
    );
    expect(changes.every((c) => c.change === 'field `id` no longer required' && !c.unclassified)).toBe(true);
  });
});
