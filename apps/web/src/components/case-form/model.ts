import type { FieldError, Schemas } from '@sims/client';

/** What the editor sends: the case's fields, without `suite_id` (the page adds it when creating). */
export type CaseBody = Pick<
  Schemas['SimulationCaseCreateIn'],
  'name' | 'prompt' | 'success_criteria' | 'call_success_type' | 'checks' | 'caller_turns' | 'tool_mocks'
>;
export type CaseRead = Schemas['SimulationCaseReadOut'];
type Check = Schemas['CaseCheck'];
export type CheckKind = Check['kind'];
export type SearchSide = 'persona' | 'agent' | 'any';
export type EndSide = 'persona' | 'agent' | 'max_turns';

/** A row of a list the user edits; `key` keeps React's identity stable when rows move or go. */
export interface Row {
  key: string;
  text: string;
}

/**
 * A check as edited: every kind's fields, so switching the kind keeps what was typed. Numbers and
 * JSON are kept as text until the form is sent.
 */
export interface CheckDraft {
  key: string;
  kind: CheckKind;
  text: string;
  pattern: string;
  flags: string;
  caseSensitive: boolean;
  searchSide: SearchSide;
  negate: boolean;
  endSide: EndSide;
  max: string;
  toolName: string;
  arguments: string;
  description: string;
}

export interface MockDraft {
  key: string;
  name: string;
  arguments: string;
  /** `json`: the result is parsed as JSON; `text`: sent as a string, passed to the model as it is. */
  resultAs: 'json' | 'text';
  result: string;
}

export interface CaseDraft {
  name: string;
  prompt: string;
  criteria: Row[];
  callSuccessType: 'all' | 'any';
  checks: CheckDraft[];
  callerTurns: Row[];
  toolMocks: MockDraft[];
}

export const CHECK_KINDS: ReadonlyArray<{ kind: CheckKind; label: string }> = [
  { kind: 'contains', label: 'Contains text' },
  { kind: 'matches', label: 'Matches a pattern' },
  { kind: 'ended_by', label: 'Call ended by' },
  { kind: 'turns_at_most', label: 'Caller turns at most' },
  { kind: 'tool_called', label: 'Tool called' },
];

let counter = 0;
function newKey(): string {
  counter += 1;
  return `row-${counter}`;
}

export function row(text = ''): Row {
  return { key: newKey(), text };
}

export function newCheck(kind: CheckKind = 'contains'): CheckDraft {
  return {
    key: newKey(),
    kind,
    text: '',
    pattern: '',
    flags: '',
    caseSensitive: false,
    searchSide: 'any',
    negate: false,
    endSide: 'agent',
    max: '10',
    toolName: '',
    arguments: '',
    description: '',
  };
}

export function newMock(): MockDraft {
  return { key: newKey(), name: '', arguments: '', resultAs: 'json', result: '' };
}

export function emptyDraft(): CaseDraft {
  return { name: '', prompt: '', criteria: [row()], callSuccessType: 'all', checks: [], callerTurns: [], toolMocks: [] };
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

function checkDraft(check: Check): CheckDraft {
  const draft = { ...newCheck(check.kind), description: check.description ?? '' };
  switch (check.kind) {
    case 'contains':
      return {
        ...draft,
        text: check.text,
        caseSensitive: check.case_sensitive ?? false,
        searchSide: check.side ?? 'any',
        negate: check.negate ?? false,
      };
    case 'matches':
      return { ...draft, pattern: check.pattern, flags: check.flags ?? '', searchSide: check.side ?? 'any', negate: check.negate ?? false };
    case 'ended_by':
      return { ...draft, endSide: check.side };
    case 'turns_at_most':
      return { ...draft, max: String(check.max) };
    case 'tool_called':
      return { ...draft, toolName: check.name, arguments: check.arguments ? json(check.arguments) : '' };
  }
}

export function draftFromCase(read: CaseRead): CaseDraft {
  return {
    name: read.name,
    prompt: read.prompt,
    criteria: read.success_criteria.length > 0 ? read.success_criteria.map((text) => row(text)) : [row()],
    callSuccessType: read.call_success_type,
    checks: (read.checks ?? []).map(checkDraft),
    callerTurns: (read.caller_turns ?? []).map((text) => row(text)),
    toolMocks: (read.tool_mocks ?? []).map((mock) => ({
      key: newKey(),
      name: mock.name,
      arguments: mock.arguments ? json(mock.arguments) : '',
      resultAs: typeof mock.result === 'string' ? 'text' : 'json',
      result: typeof mock.result === 'string' ? mock.result : json(mock.result),
    })),
  };
}

/** Problems found before sending, in the API's own shape so that both kinds show the same way. */
function problem(field: string, message: string): FieldError {
  return { location: 'body', field, message };
}

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

function parseJson(text: string): Parsed<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: `is not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
}

function parseObject(text: string): Parsed<Record<string, unknown> | undefined> {
  if (text.trim() === '') return { ok: true, value: undefined };
  const parsed = parseJson(text);
  if (!parsed.ok) return parsed;
  if (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
    return { ok: false, message: 'must be a JSON object, like {"order_id": "A-1"}' };
  }
  return { ok: true, value: parsed.value as Record<string, unknown> };
}

function withDescription<T extends Check>(check: T, description: string): T {
  return description.trim() === '' ? check : { ...check, description };
}

function checkBody(draft: CheckDraft, at: string, problems: FieldError[]): Check | undefined {
  switch (draft.kind) {
    case 'contains':
      return withDescription(
        { kind: 'contains', text: draft.text, case_sensitive: draft.caseSensitive, side: draft.searchSide, negate: draft.negate },
        draft.description,
      );
    case 'matches':
      return withDescription(
        {
          kind: 'matches',
          pattern: draft.pattern,
          side: draft.searchSide,
          negate: draft.negate,
          ...(draft.flags === '' ? {} : { flags: draft.flags }),
        },
        draft.description,
      );
    case 'ended_by':
      return withDescription({ kind: 'ended_by', side: draft.endSide }, draft.description);
    case 'turns_at_most': {
      const max = Number(draft.max);
      if (draft.max.trim() === '' || !Number.isInteger(max)) {
        problems.push(problem(`${at}/max`, 'must be a whole number'));
        return undefined;
      }
      return withDescription({ kind: 'turns_at_most', max }, draft.description);
    }
    case 'tool_called': {
      const args = parseObject(draft.arguments);
      if (!args.ok) {
        problems.push(problem(`${at}/arguments`, args.message));
        return undefined;
      }
      return withDescription(
        { kind: 'tool_called', name: draft.toolName, ...(args.value ? { arguments: args.value } : {}) },
        draft.description,
      );
    }
  }
}

/**
 * The request body from the draft, or the problems that keep it from being sent (JSON that does
 * not parse, a number that is not one). Everything else is left for the API to judge, so that its
 * rules stay in one place and its 422 details show at the fields.
 */
export function toBody(draft: CaseDraft): { ok: true; body: CaseBody } | { ok: false; problems: FieldError[] } {
  const problems: FieldError[] = [];
  const checks = draft.checks.map((check, index) => checkBody(check, `/checks/${index}`, problems));
  const toolMocks = draft.toolMocks.map((mock, index) => {
    const args = parseObject(mock.arguments);
    if (!args.ok) problems.push(problem(`/tool_mocks/${index}/arguments`, args.message));
    let result: unknown = mock.result;
    if (mock.resultAs === 'json') {
      const parsed = parseJson(mock.result);
      if (parsed.ok) result = parsed.value;
      else problems.push(problem(`/tool_mocks/${index}/result`, parsed.message));
    }
    return { name: mock.name, ...(args.ok && args.value ? { arguments: args.value } : {}), result };
  });
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    body: {
      name: draft.name,
      prompt: draft.prompt,
      success_criteria: draft.criteria.map((item) => item.text),
      call_success_type: draft.callSuccessType,
      checks: checks.filter((check): check is Check => check !== undefined),
      caller_turns: draft.callerTurns.map((item) => item.text),
      tool_mocks: toolMocks,
    },
  };
}
