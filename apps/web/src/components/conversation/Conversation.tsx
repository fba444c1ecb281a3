import { DateTime } from '../../ui/index.js';
import { eventAnchor, parseToolCall, type TimelineItem } from './timeline.js';
import './Conversation.css';

interface Props {
  timeline: readonly TimelineItem[];
  /** The agent under test, as its bubbles are labelled. */
  agentName?: string | null;
}

const SYSTEM_LABELS: Record<string, string> = {
  end_call: 'Call ended',
  error: 'Error',
  divergence: 'Departed from the recording',
  tool_result: 'Tool result',
};

function speaker(item: TimelineItem, agentName: string): string {
  if (item.sender_type === 'persona') return 'Caller';
  if (item.sender_type === 'agent') return agentName;
  return 'System';
}

function When({ item }: { item: TimelineItem }) {
  const seconds = item.timestamp != null && item.timestamp !== '' ? Number(item.timestamp) : null;
  return (
    <span className="conv-event-time">
      {seconds !== null && Number.isFinite(seconds) ? <span>{seconds.toFixed(1)} s</span> : null}
      {item.timestamp_datetime ? <DateTime value={item.timestamp_datetime} /> : null}
    </span>
  );
}

function Event({ item, index, agentName }: { item: TimelineItem; index: number; agentName: string }) {
  const type = item.type ?? 'message';
  const who = speaker(item, agentName);
  const anchor = eventAnchor(index);

  if (type === 'message') {
    const side = item.sender_type === 'persona' ? 'caller' : item.sender_type === 'agent' ? 'agent' : 'system';
    return (
      <li id={anchor} tabIndex={-1} className={`conv-event conv-event-message conv-event-${side}`}>
        <div className="conv-event-head">
          <span className="conv-event-who">{who}</span>
          <When item={item} />
        </div>
        <p className="conv-event-text">{item.value}</p>
      </li>
    );
  }

  if (type === 'tool_call') {
    const call = parseToolCall(item.value ?? '');
    return (
      <li id={anchor} tabIndex={-1} className="conv-event conv-event-tool conv-event-agent">
        <div className="conv-event-head">
          <span className="conv-event-who">
            {who} called <code>{call.name}</code>
          </span>
          <When item={item} />
        </div>
        {call.args !== null ? <pre className="conv-event-code">{call.args}</pre> : null}
      </li>
    );
  }

  const label = SYSTEM_LABELS[type] ?? type;
  const tone = type === 'error' || type === 'divergence' ? 'warn' : 'plain';
  return (
    <li id={anchor} tabIndex={-1} className={`conv-event conv-event-system conv-event-${type} conv-event-tone-${tone}`}>
      <div className="conv-event-head">
        <span className="conv-event-who">
          {label}
          {type === 'end_call' && item.sender_type !== 'system' ? ` by the ${item.sender_type === 'persona' ? 'caller' : 'agent'}` : ''}
        </span>
        <When item={item} />
      </div>
      {type === 'tool_result' ? <pre className="conv-event-code">{item.value}</pre> : <p className="conv-event-text">{item.value}</p>}
    </li>
  );
}

/**
 * A simulation's timeline as a chat: the caller on one side, the agent under test on the other, tool
 * calls and their mocked results in between, and the system's events (end of call, errors, where a
 * replay departed from its recording) across. Each event has an anchor (`#event-N`) that verdicts link to.
 */
export function Conversation({ timeline, agentName }: Props) {
  const name = agentName?.trim() || 'Agent';
  return (
    <ol className="conversation" aria-label="Conversation">
      {timeline.map((item, index) => (
        // The timeline only grows, so an event keeps its position.
        <Event key={index} item={item} index={index} agentName={name} />
      ))}
    </ol>
  );
}
