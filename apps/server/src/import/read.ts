import { invalid } from '../http/errors.js';
import { readMessages } from './messages.js';
import { type ImportFormat, isObject, type RecordedCall } from './recording.js';
import { readText } from './text.js';
import { readTimeline } from './timeline.js';

/**
 * The shape of a conversation sent without `format`: a string is text; an array whose items all
 * have a `role` is a chat log, one whose items all have a `sender_type` a timeline. Anything else
 * cannot be told apart (the spec's schema lets any object through as a timeline event), and the
 * user is asked to say.
 */
function detect(conversation: unknown): ImportFormat {
  if (typeof conversation === 'string') return 'text';
  if (Array.isArray(conversation)) {
    if (conversation.every((item) => isObject(item) && 'role' in item)) return 'messages';
    if (conversation.every((item) => isObject(item) && 'sender_type' in item)) return 'timeline';
  }
  throw invalid(
    'body',
    '/conversation',
    'cannot tell its shape: give `format`, or send text, chat messages (each with a `role`) or timeline events (each with a `sender_type`)',
  );
}

/** Reads a conversation of the given shape, or of the detected one; 422 naming each place that cannot be read. */
export function readConversation(conversation: unknown, format: ImportFormat | undefined): RecordedCall {
  const shape = format ?? detect(conversation);
  if (shape === 'text') {
    if (typeof conversation !== 'string') throw invalid('body', '/conversation', 'must be a string for format "text"');
    return readText(conversation);
  }
  if (!Array.isArray(conversation)) throw invalid('body', '/conversation', `must be an array for format "${shape}"`);
  return shape === 'messages' ? readMessages(conversation) : readTimeline(conversation);
}
