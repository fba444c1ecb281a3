import { describe, expect, it } from 'vitest';
import {
  createPromptPersona,
  createScriptedPersona,
  extractFacts,
  goalStatement,
  OFFLINE_PERSONA_MAX_MESSAGES,
  type ConversationMessage,
} from '../src/index.js';

const signal = new AbortController().signal;
const agentSays = (content: string): ConversationMessage[] => [{ role: 'agent', content }];

describe('scripted persona', () => {
  it('plays the turns in order, then ends without a message; [END_CALL] ends with one', async () => {
    const persona = createScriptedPersona(['one', 'two [END_CALL]']);
    expect(await persona.next({ conversation: [], signal })).toEqual({ message: 'one', end_call: false });
    expect(await persona.next({ conversation: [], signal })).toEqual({ message: 'two', end_call: true });
    expect(await persona.next({ conversation: [], signal })).toEqual({ end_call: true });
  });
});

describe('prompt persona rules', () => {
  it('reads facts from the prompt', () => {
    expect(
      extractFacts('You are Dana Smith, order number 12345, email dana@example.com, phone +49 170 1234567. You want a booking on Tuesday.'),
    ).toEqual({ name: 'Dana Smith', reference: '12345', email: 'dana@example.com', phone: '+49 170 1234567', date: 'Tuesday' });
    expect(extractFacts('Your parcel 987654 is late.')).toEqual({ reference: '987654' });
  });

  it('states the goal sentence in the first person', () => {
    expect(goalStatement('You are Dana. Your order is late. You want to know where your order is.')).toBe(
      'I want to know where my order is.',
    );
    expect(goalStatement('The caller wants a refund for her shoes')).toBe('I want a refund for my shoes.');
    expect(goalStatement('Your goal is to cancel the appointment.')).toBe('I want to cancel the appointment.');
  });

  it('opens with the goal, answers questions from facts, and ends once answered', async () => {
    const persona = createPromptPersona('You are Dana, order 12345. You want to know where your order is.');
    expect(await persona.next({ conversation: agentSays('How can I help?'), signal })).toEqual({
      message: 'Hi. I want to know where my order is.',
      end_call: false,
    });
    expect(await persona.next({ conversation: agentSays('What is your order number and your name?'), signal })).toEqual({
      message: "It's 12345. My name is Dana.",
      end_call: false,
    });
    expect(await persona.next({ conversation: agentSays('It arrives on Thursday.'), signal })).toEqual({
      message: "Thank you, that's all I needed. Goodbye.",
      end_call: true,
    });
  });

  it('says goodbye when asked "anything else"', async () => {
    const persona = createPromptPersona('You want the opening hours.');
    await persona.next({ conversation: agentSays('Hello?'), signal });
    expect(await persona.next({ conversation: agentSays('We open at 8. Anything else?'), signal })).toMatchObject({ end_call: true });
  });

  it('restates the goal once for an unanswerable question, then gives up', async () => {
    const persona = createPromptPersona('You want the opening hours.');
    await persona.next({ conversation: agentSays('Hello?'), signal });
    expect(await persona.next({ conversation: agentSays('What is your shoe size?'), signal })).toEqual({
      message: "Sorry, I don't know. I want the opening hours.",
      end_call: false,
    });
    expect(await persona.next({ conversation: agentSays('What is your shoe size?'), signal })).toMatchObject({ end_call: true });
  });

  it('gives a fact at most twice, and an angry caller sounds angry', async () => {
    const persona = createPromptPersona('You are furious. Your order 555555 is lost. You want it found.');
    expect((await persona.next({ conversation: agentSays('Hi?'), signal })).message).toBe('This is really frustrating. I want it found.');
    expect((await persona.next({ conversation: agentSays('Order number?'), signal })).message).toBe("It's 555555.");
    expect((await persona.next({ conversation: agentSays('Order number?'), signal })).message).toBe("It's 555555.");
    expect(await persona.next({ conversation: agentSays('Order number?'), signal })).toEqual({ message: 'Fine. Goodbye.', end_call: true });
  });

  it(`hangs up after ${OFFLINE_PERSONA_MAX_MESSAGES} messages`, async () => {
    const persona = createPromptPersona('You are Dana, order 12345, dana@example.com, +49 170 1234567, on Tuesday. You want help.');
    const questions = ['Hello?', 'Your name?', 'Your order number?', 'Your e-mail?', 'Your phone?', 'Which day?', 'Your name again?'];
    const moves = [];
    for (const question of questions) moves.push(await persona.next({ conversation: agentSays(question), signal }));
    expect(moves.slice(0, OFFLINE_PERSONA_MAX_MESSAGES).map((m) => m.end_call)).toEqual(Array(OFFLINE_PERSONA_MAX_MESSAGES).fill(false));
    expect(moves[OFFLINE_PERSONA_MAX_MESSAGES]).toEqual({ message: "I have to go now. I'll call back later. Goodbye.", end_call: true });
  });
});
