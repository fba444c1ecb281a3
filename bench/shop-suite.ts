/**
 * The suite the engine benches run through the server (bench:engine-server in its process, bench:queue
 * across processes): one builtin shop agent answering after `latencyMs`, and `cases` cases in which the
 * caller asks `answers` − 1 questions, so that each run has `answers` agent answers. A suite and a
 * session hold at most 100 (spec decision "Bounded reads"): the cases go into ceil(cases/100) suites,
 * each executed into its own session.
 */
const SUITE_SIZE = 100;

/** A POST to the API answering its JSON (throwing on an error status). */
type Post = (path: string, body?: unknown) => Promise<any>;

/** Creates the agent, the suites and their cases; answers the agent's and the suites' ids. */
export async function seedShopSuites(
  post: Post,
  { cases, answers, latencyMs }: { cases: number; answers: number; latencyMs: number },
): Promise<{ agentId: string; suiteIds: string[] }> {
  const agent = (await post('/agents', { name: 'Nora', prompt: 'Shop support', connector: { kind: 'builtin', latency_ms: latencyMs } }))
    .response;
  const suiteIds: string[] = [];
  for (let i = 0; i < cases; i += 1) {
    if (i % SUITE_SIZE === 0)
      suiteIds.push((await post('/simulation_suites', { name: `bench ${suiteIds.length}`, model_id: agent.id })).response.id);
    await post('/simulation_cases', {
      name: `bench ${i}`,
      prompt: 'You want to know the opening hours.',
      suite_id: suiteIds.at(-1),
      success_criteria: ['Hours given'],
      call_success_type: 'any',
      caller_turns: Array.from({ length: answers - 1 }, (_, k) => `Question ${k + 1}: what are your opening hours?`),
      checks: [
        { kind: 'turns_at_most', max: answers - 1 },
        { kind: 'ended_by', side: 'persona' },
      ],
    });
  }
  return { agentId: agent.id, suiteIds };
}

/** Executes each suite against the agent (at most 50 turns a run); answers the sessions' ids. */
export async function executeSuites(post: Post, agentId: string, suiteIds: string[]): Promise<string[]> {
  const sessionIds: string[] = [];
  for (const suiteId of suiteIds)
    sessionIds.push((await post(`/simulation_suites/${suiteId}/execute?target_agent_id=${agentId}&max_turns=50`)).session_id);
  return sessionIds;
}

/** The agent's answers in the runs' timelines (messages the agent sent). */
export const agentAnswers = (runs: Array<{ timeline: Array<{ sender_type: string; type: string }> }>): number =>
  runs.reduce((sum, run) => sum + run.timeline.filter((e) => e.sender_type === 'agent' && e.type === 'message').length, 0);
