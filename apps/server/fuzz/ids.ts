import { randomUUID } from 'node:crypto';

/** The resources whose ids requests refer to. */
export const KINDS = ['agent', 'suite', 'case', 'scenario', 'session', 'simulation', 'endpoint', 'delivery'] as const;
export type Kind = (typeof KINDS)[number];

/**
 * Whose id a reference resolves to: `own` any live id of the fuzzed workspace, `disposable` one the
 * fuzzer made itself (so deletes do not eat the seeded records), `foreign` an id of another
 * workspace, `suite-agent` the agent of the suite named in the same request's path.
 */
export type Scope = 'own' | 'disposable' | 'foreign' | 'suite-agent';

/**
 * A placeholder for a resource id, made when the request is generated and resolved against the
 * live pool when it is sent: generation stays a pure function of seed and index, while the request
 * still names records that exist at that moment.
 */
export class IdRef {
  constructor(
    readonly kind: Kind,
    readonly pick: number,
    readonly scope: Scope = 'own',
  ) {}
}

/**
 * Which resource a field or parameter names, by its name as the spec spells it. The spec has no
 * links between operations, so the names are the only contract; `model_id`(s) is the reference API's
 * name for an agent, and `baseline` a session.
 */
export function kindOfField(name: string): Kind | undefined {
  // The comparison's `baseline` names a session (or `last`, its default when omitted).
  if (name === 'baseline') return 'session';
  const stem = name.replace(/_ids?$/, '');
  if (stem === name) return undefined;
  if (stem === 'agent' || stem === 'model' || stem.endsWith('_agent')) return 'agent';
  if (stem === 'suite') return 'suite';
  if (stem === 'simulation_case') return 'case';
  if (stem === 'scenario') return 'scenario';
  if (stem === 'simulation_session' || stem === 'session') return 'session';
  if (stem === 'simulation') return 'simulation';
  if (stem === 'endpoint') return 'endpoint';
  if (stem === 'delivery') return 'delivery';
  return undefined;
}

/** Ids that exist right now, learnt from seeding and from every successful create and delete. */
export class IdPool {
  private readonly seeded = new Map<Kind, string[]>();
  private readonly made = new Map<Kind, string[]>();
  private readonly foreign = new Map<Kind, string[]>();
  private readonly suiteAgents = new Map<string, string>();

  constructor() {
    for (const kind of KINDS) {
      this.seeded.set(kind, []);
      this.made.set(kind, []);
      this.foreign.set(kind, []);
    }
  }

  addSeeded(kind: Kind, id: string): void {
    this.seeded.get(kind)!.push(id);
  }

  addForeign(kind: Kind, id: string): void {
    this.foreign.get(kind)!.push(id);
  }

  add(kind: Kind, id: string): void {
    const made = this.made.get(kind)!;
    if (!made.includes(id) && !this.seeded.get(kind)!.includes(id)) made.push(id);
  }

  remove(kind: Kind, id: string): void {
    for (const list of [this.made.get(kind)!, this.seeded.get(kind)!]) {
      const at = list.indexOf(id);
      if (at >= 0) list.splice(at, 1);
    }
  }

  setSuiteAgent(suiteId: string, agentId: string): void {
    this.suiteAgents.set(suiteId, agentId);
  }

  size(kind: Kind): number {
    return this.seeded.get(kind)!.length + this.made.get(kind)!.length;
  }

  /** The id a reference names now; an unknown one when there is none of that kind. */
  resolve(ref: IdRef, suiteInPath?: string): string {
    if (ref.scope === 'suite-agent' && suiteInPath) {
      const agent = this.suiteAgents.get(suiteInPath);
      if (agent) return agent;
    }
    const first = ref.scope === 'foreign' ? this.foreign.get(ref.kind)! : ref.scope === 'disposable' ? [] : this.seeded.get(ref.kind)!;
    const second = ref.scope === 'foreign' ? [] : this.made.get(ref.kind)!;
    const size = first.length + second.length;
    if (!size) return randomUUID();
    const at = ref.pick % size;
    return at < first.length ? first[at]! : second[at - first.length]!;
  }
}
