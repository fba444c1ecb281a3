import { takeEndCallMarker } from '../llm.js';
import type { Persona, PersonaMove } from './persona.js';

/** The offline persona hangs up after this many messages when nothing else ended the call. */
export const OFFLINE_PERSONA_MAX_MESSAGES = 6;

/** Plays scripted caller turns in order, then ends the call without a further message. */
export function createScriptedPersona(turns: readonly string[]): Persona {
  let index = 0;
  return {
    async next() {
      const turn = turns[index];
      index += 1;
      if (turn === undefined) return { end_call: true };
      const { text, end_call } = takeEndCallMarker(turn);
      return text ? { message: text, end_call } : { end_call: true };
    },
  };
}

type FactKind = 'reference' | 'name' | 'email' | 'phone' | 'date';
export type Facts = Partial<Record<FactKind, string>>;

const MONTH = '(?:january|february|march|april|may|june|july|august|september|october|november|december)';
const FACT_PATTERNS: Record<FactKind, RegExp> = {
  reference: /\b(?:order|booking|reservation|reference|account|ticket|case)\b[^.\d]{0,20}?#?(\d[\dA-Za-z-]{3,})/i,
  // The name itself must be capitalised ("You are Dana", not "you are a customer"), so no i flag.
  name: /\b(?:[Yy]our name is|[Yy]ou are|[Yy]ou're|[Mm]y name is|named|called)\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)/,
  email: /([\w.+-]+@[\w-]+\.[\w.-]+\w)/,
  phone: /(\+?\d[\d\s-]{7,}\d)/,
  date: new RegExp(
    `\\b((?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|\\d{1,2}(?:st|nd|rd|th)? ${MONTH}|${MONTH} \\d{1,2}(?:st|nd|rd|th)?|\\d{4}-\\d{2}-\\d{2}|tomorrow|today)\\b`,
    'i',
  ),
};

/** Facts the persona can give when asked, read from the case prompt. */
export function extractFacts(prompt: string): Facts {
  const facts: Facts = {};
  for (const kind of Object.keys(FACT_PATTERNS) as FactKind[]) {
    const found = FACT_PATTERNS[kind].exec(prompt)?.[1];
    if (found) facts[kind] = found.trim();
  }
  if (!facts.reference) {
    const number = /\b(\d{4,})\b/.exec(prompt.replace(FACT_PATTERNS.phone, ''))?.[1];
    if (number) facts.reference = number;
  }
  return facts;
}

const GOAL_WORDS = /\b(want|wants|need|needs|would like|'d like|trying to|try to|goal|calling (?:to|about)|ask|asks|hope|hopes)\b/i;

/** The sentence of the prompt that states the caller's goal, rewritten in the first person. */
export function goalStatement(prompt: string): string {
  const sentences = prompt
    .split(/(?<=[.!?])\s+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const goal = sentences.find((s) => GOAL_WORDS.test(s)) ?? sentences.at(-1) ?? prompt;
  return toFirstPerson(goal);
}

function toFirstPerson(sentence: string): string {
  let text = sentence
    .replace(/^(?:your|the) goal is to\s+/i, 'I want to ')
    .replace(/^(?:the\s+)?(?:caller|customer|user|patient|persona)\b/i, 'I')
    .replace(/\byou are\b/gi, 'I am')
    .replace(/\byou're\b/gi, "I'm")
    .replace(/\byourself\b/gi, 'myself')
    .replace(/\byour\b/gi, 'my')
    .replace(/\byou\b/gi, 'I')
    .replace(/\bI (wants|needs|asks|hopes|tries|has|is|was)\b/g, (_, verb: string) => `I ${FIRST_PERSON_VERBS[verb] ?? verb}`)
    .replace(/\b(his|her|their)\b/gi, 'my');
  text = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

const FIRST_PERSON_VERBS: Record<string, string> = {
  wants: 'want',
  needs: 'need',
  asks: 'ask',
  hopes: 'hope',
  tries: 'try',
  has: 'have',
  is: 'am',
  was: 'was',
};

/** Which fact an agent's question asks for, in the order they are checked. */
const QUESTION_TOPICS: Array<[FactKind, RegExp]> = [
  ['email', /\be-?mail\b/],
  ['phone', /\b(phone|mobile|reach you)\b/],
  ['reference', /\b(order|reference|booking|confirmation|account|ticket|number)\b/],
  ['name', /\bname\b/],
  ['date', /\b(date|when|which day|what day)\b/],
];

const ANYTHING_ELSE = /\b(anything else|something else|else i can|else can i|further questions?)\b/;
const ANGRY = /\b(angry|furious|frustrated|annoyed|upset|rude|impatient)\b/i;

/**
 * Derives a caller from the prompt (rules in the README): open with the goal sentence, answer
 * questions about facts the prompt holds, restate the goal once when a question cannot be answered,
 * and end politely once the agent answers without a further question, asks "anything else", or
 * after OFFLINE_PERSONA_MAX_MESSAGES messages.
 */
export function createPromptPersona(prompt: string): Persona {
  const facts = extractFacts(prompt);
  const goal = goalStatement(prompt);
  const angry = ANGRY.test(prompt);
  const given: Partial<Record<FactKind, number>> = {};
  let sent = 0;
  let restated = false;

  const say = (message: string, end_call = false): PersonaMove => {
    sent += 1;
    return { message, end_call };
  };
  const goodbye = (text: string) => say(angry ? 'Fine. Goodbye.' : text, true);

  return {
    async next({ conversation }) {
      if (sent === 0) return say(angry ? `This is really frustrating. ${goal}` : `Hi. ${goal}`);
      if (sent >= OFFLINE_PERSONA_MAX_MESSAGES) return goodbye("I have to go now. I'll call back later. Goodbye.");
      const said = (conversation.at(-1)?.content ?? '').toLowerCase();
      const question = said.includes('?');

      if (question && ANYTHING_ELSE.test(said)) return goodbye("No, that's all. Thank you, goodbye.");
      if (question) {
        const answers: string[] = [];
        let repeatedTooOften = false;
        for (const [kind, pattern] of QUESTION_TOPICS) {
          if (!pattern.test(said)) continue;
          if (kind === 'reference' && /\bphone\b/.test(said)) continue;
          const fact = facts[kind];
          if (!fact) continue;
          if ((given[kind] ?? 0) >= 2) {
            repeatedTooOften = true;
            continue;
          }
          given[kind] = (given[kind] ?? 0) + 1;
          answers.push(kind === 'name' ? `My name is ${fact}.` : `It's ${fact}.`);
        }
        if (answers.length > 0) return say(answers.join(' '));
        if (repeatedTooOften || restated) return goodbye("I don't think we're getting anywhere. I'll call back later. Goodbye.");
        restated = true;
        return say(`Sorry, I don't know. ${goal}`);
      }
      return goodbye("Thank you, that's all I needed. Goodbye.");
    },
  };
}
