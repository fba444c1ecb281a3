import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { CasePage } from '../../src/pages/cases/CasePage.js';
import { NewCasePage } from '../../src/pages/cases/NewCasePage.js';
import { CASE_ID, caseRead, describedText, ok, renderRoutes, stubApi, SUITE_ID, validationFailed } from '../suites/harness.js';

const CHECK_ONE_OF_DETAILS = [
  { field: '/checks/0/text', message: "must have required property 'text'" },
  { field: '/checks/0/pattern', message: 'is not a known field' },
  { field: '/checks/0/kind', message: 'must be equal to constant' },
  { field: '/checks/0/pattern', message: 'must NOT have more than 200 characters' },
  { field: '/checks/0/negate', message: 'is not a known field' },
  { field: '/checks/0/side', message: 'must be equal to one of the allowed values' },
  { field: '/checks/0/max', message: "must have required property 'max'" },
  { field: '/checks/0/side', message: 'is not a known field' },
  { field: '/checks/0/name', message: "must have required property 'name'" },
  { field: '/checks/0', message: 'must match exactly one schema in oneOf' },
].map((detail) => ({ location: 'body' as const, ...detail }));

const type = (element: HTMLElement, value: string) => fireEvent.change(element, { target: { value } });
const group = (name: string) => screen.getByRole('group', { name });

function fillBasics() {
  type(screen.getByLabelText(/^Name/), 'Refund with a lookup');
  type(screen.getByLabelText(/^Prompt/), 'You want a refund for order A-1.');
  type(screen.getByLabelText('Criterion 1'), 'Agent looked the order up');
}

describe('case editor', () => {
  it('creates a case with criteria, checks of each kind, ordered caller turns and tool mocks, in the spec’s shape', async () => {
    const api = stubApi((request) =>
      request.method === 'POST' && request.path === '/simulation_cases' ? ok({ simulation_case: caseRead() }) : undefined,
    );
    renderRoutes({ '/suites/:id/cases/new': NewCasePage }, `/suites/${SUITE_ID}/cases/new`, api.fetch);

    fillBasics();
    fireEvent.click(screen.getByRole('button', { name: 'Add criterion' }));
    type(screen.getByLabelText('Criterion 2'), 'Agent confirmed the refund');
    fireEvent.change(screen.getByLabelText('Passes when'), { target: { value: 'any' } });

    for (let index = 0; index < 5; index += 1) fireEvent.click(screen.getByRole('button', { name: 'Add check' }));
    type(within(group('Check 1')).getByLabelText(/^Text/), 'refund');
    fireEvent.click(within(group('Check 1')).getByLabelText('Case sensitive'));
    fireEvent.change(within(group('Check 1')).getByLabelText('Whose messages'), { target: { value: 'agent' } });

    fireEvent.change(within(group('Check 2')).getByLabelText('Kind'), { target: { value: 'matches' } });
    type(within(group('Check 2')).getByLabelText(/^Pattern/), 'order\\s+A-\\d');
    type(within(group('Check 2')).getByLabelText('Flags'), 'i');
    fireEvent.click(within(group('Check 2')).getByLabelText('Pass when no message matches'));

    fireEvent.change(within(group('Check 3')).getByLabelText('Kind'), { target: { value: 'ended_by' } });
    fireEvent.change(within(group('Check 3')).getByLabelText('Ended by'), { target: { value: 'persona' } });

    fireEvent.change(within(group('Check 4')).getByLabelText('Kind'), { target: { value: 'turns_at_most' } });
    type(within(group('Check 4')).getByLabelText(/^Most caller turns/), '6');
    type(within(group('Check 4')).getByLabelText('Description'), 'Short call');

    fireEvent.change(within(group('Check 5')).getByLabelText('Kind'), { target: { value: 'tool_called' } });
    type(within(group('Check 5')).getByLabelText(/^Tool name/), 'lookup_order');
    type(within(group('Check 5')).getByLabelText('Arguments (JSON object)'), '{"order_id": "A-1"}');

    fireEvent.click(screen.getByRole('button', { name: 'Add caller turn' }));
    fireEvent.click(screen.getByRole('button', { name: 'Add caller turn' }));
    type(screen.getByLabelText('Caller turn 1'), 'Thanks, bye [END_CALL]');
    type(screen.getByLabelText('Caller turn 2'), 'Hi, I want a refund for A-1.');
    fireEvent.click(screen.getByRole('button', { name: 'Move caller turn 2 up' }));

    fireEvent.click(screen.getByRole('button', { name: 'Add tool mock' }));
    fireEvent.click(screen.getByRole('button', { name: 'Add tool mock' }));
    type(within(group('Tool mock 1')).getByLabelText(/^Tool name/), 'lookup_order');
    type(within(group('Tool mock 1')).getByLabelText('Arguments (JSON object)'), '{"order_id": "A-1"}');
    type(within(group('Tool mock 1')).getByLabelText(/^Result/), '{"status": "delivered", "total": 42}');
    type(within(group('Tool mock 2')).getByLabelText(/^Tool name/), 'lookup_order');
    fireEvent.click(within(group('Tool mock 2')).getByLabelText('Text'));
    type(within(group('Tool mock 2')).getByLabelText(/^Result/), 'no such order');

    fireEvent.click(screen.getByRole('button', { name: 'Create case' }));

    await screen.findByText(`At /suites/${SUITE_ID}`);
    const [sent] = api.sent('POST', '/simulation_cases');
    expect(sent?.body).toEqual({
      suite_id: SUITE_ID,
      name: 'Refund with a lookup',
      prompt: 'You want a refund for order A-1.',
      success_criteria: ['Agent looked the order up', 'Agent confirmed the refund'],
      call_success_type: 'any',
      checks: [
        { kind: 'contains', text: 'refund', case_sensitive: true, side: 'agent', negate: false },
        { kind: 'matches', pattern: 'order\\s+A-\\d', flags: 'i', side: 'any', negate: true },
        { kind: 'ended_by', side: 'persona' },
        { kind: 'turns_at_most', max: 6, description: 'Short call' },
        { kind: 'tool_called', name: 'lookup_order', arguments: { order_id: 'A-1' } },
      ],
      caller_turns: ['Hi, I want a refund for A-1.', 'Thanks, bye [END_CALL]'],
      tool_mocks: [
        { name: 'lookup_order', arguments: { order_id: 'A-1' }, result: { status: 'delivered', total: 42 } },
        { name: 'lookup_order', result: 'no such order' },
      ],
    });
  });

  it('shows each 422 detail next to the field its JSON pointer names, and lists them above the form', async () => {
    const api = stubApi((request) =>
      request.method === 'POST' && request.path === '/simulation_cases'
        ? validationFailed([
            { location: 'body', field: '/success_criteria/1', message: 'must NOT have fewer than 1 characters' },
            // What the reference server answers for a 201-character pattern: every kind of check's schema
            // has its say about the `oneOf`, and only the `matches` one is about this check.
            ...CHECK_ONE_OF_DETAILS,
            { location: 'body', field: '/tool_mocks/0/name', message: 'must match pattern "^[A-Za-z0-9_-]{1,64}$"' },
          ])
        : undefined,
    );
    renderRoutes({ '/suites/:id/cases/new': NewCasePage }, `/suites/${SUITE_ID}/cases/new`, api.fetch);
    fillBasics();
    fireEvent.click(screen.getByRole('button', { name: 'Add criterion' }));
    fireEvent.click(screen.getByRole('button', { name: 'Add check' }));
    fireEvent.change(within(group('Check 1')).getByLabelText('Kind'), { target: { value: 'matches' } });
    type(within(group('Check 1')).getByLabelText(/^Pattern/), 'x'.repeat(201));
    fireEvent.click(screen.getByRole('button', { name: 'Add tool mock' }));
    type(within(group('Tool mock 1')).getByLabelText(/^Tool name/), 'look up');
    type(within(group('Tool mock 1')).getByLabelText(/^Result/), '1');
    fireEvent.click(screen.getByRole('button', { name: 'Create case' }));

    const summary = await screen.findByRole('alert');
    expect(summary.textContent).toContain('The case was not saved');
    expect(summary.textContent).toContain('Check 1 › pattern: must NOT have more than 200 characters');
    expect(summary.textContent).not.toContain('is not a known field');
    expect(summary.textContent).not.toContain('oneOf');
    expect(within(summary).getAllByRole('listitem')).toHaveLength(3);

    const pattern = within(group('Check 1')).getByLabelText(/^Pattern/);
    expect(pattern.getAttribute('aria-invalid')).toBe('true');
    expect(describedText(pattern)).toBe('must NOT have more than 200 characters');
    expect(describedText(within(group('Check 1')).getByLabelText('Whose messages'))).toBe('');
    expect(describedText(screen.getByLabelText('Criterion 2'))).toBe('must NOT have fewer than 1 characters');
    expect(screen.getByLabelText('Criterion 1').getAttribute('aria-invalid')).toBeNull();
    expect(describedText(within(group('Tool mock 1')).getByLabelText(/^Tool name/))).toBe('must match pattern "^[A-Za-z0-9_-]{1,64}$"');
    expect(screen.queryByText(/^At \//)).toBeNull();
  });

  it('sends nothing while a JSON field does not parse, and says which', () => {
    const api = stubApi(() => undefined);
    renderRoutes({ '/suites/:id/cases/new': NewCasePage }, `/suites/${SUITE_ID}/cases/new`, api.fetch);
    fillBasics();
    fireEvent.click(screen.getByRole('button', { name: 'Add tool mock' }));
    type(within(group('Tool mock 1')).getByLabelText(/^Tool name/), 'lookup_order');
    type(within(group('Tool mock 1')).getByLabelText('Arguments (JSON object)'), '["A-1"]');
    type(within(group('Tool mock 1')).getByLabelText(/^Result/), '{status: delivered}');
    fireEvent.click(screen.getByRole('button', { name: 'Create case' }));

    expect(api.sent('POST', '/simulation_cases')).toHaveLength(0);
    expect(describedText(within(group('Tool mock 1')).getByLabelText('Arguments (JSON object)'))).toContain('must be a JSON object');
    expect(describedText(within(group('Tool mock 1')).getByLabelText(/^Result/))).toContain('is not valid JSON');
    expect(screen.getByRole('alert').textContent).toContain('Fix these before saving');
  });

  it('edits a case: shows what it holds, sends the lists whole, and deletes it after confirming', async () => {
    const stored = caseRead({
      success_criteria: ['Agent acknowledged the refund request', 'Agent offered a refund'],
      checks: [{ kind: 'turns_at_most', max: 8 }],
      caller_turns: ['Hello', 'Bye [END_CALL]'],
      tool_mocks: [{ name: 'lookup_order', result: 'shipped' }],
    });
    const api = stubApi((request) => {
      const path = `/simulation_cases/${CASE_ID}`;
      if (request.path !== path) return undefined;
      if (request.method === 'GET') return ok(stored);
      if (request.method === 'PUT') return ok({ ...stored, ...(request.body as object) });
      if (request.method === 'DELETE') return { status: 204, body: null };
      return undefined;
    });
    renderRoutes({ '/cases/:id': CasePage }, `/cases/${CASE_ID}`, api.fetch);

    expect(((await screen.findByLabelText('Criterion 2')) as HTMLInputElement).value).toBe('Agent offered a refund');
    expect((within(group('Check 1')).getByLabelText(/^Most caller turns/) as HTMLInputElement).value).toBe('8');
    expect((within(group('Tool mock 1')).getByLabelText('Text') as HTMLInputElement).checked).toBe(true);

    fireEvent.click(screen.getByRole('button', { name: 'Remove criterion 1' }));
    fireEvent.click(screen.getByRole('button', { name: 'Remove caller turn 2' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save case' }));
    await screen.findByText('Saved.');
    expect(api.sent('PUT', `/simulation_cases/${CASE_ID}`)[0]?.body).toMatchObject({
      success_criteria: ['Agent offered a refund'],
      checks: [{ kind: 'turns_at_most', max: 8 }],
      caller_turns: ['Hello'],
      tool_mocks: [{ name: 'lookup_order', result: 'shipped' }],
    });

    fireEvent.click(screen.getByRole('button', { name: 'Delete case' }));
    expect(api.sent('DELETE', `/simulation_cases/${CASE_ID}`)).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: 'Delete for good' }));
    await screen.findByText(`At /suites/${SUITE_ID}`);
    expect(api.sent('DELETE', `/simulation_cases/${CASE_ID}`)).toHaveLength(1);
  });
  it('on an update, keeps of the nested oneOf details only the one about the field (a check count over 50)', async () => {
    const api = stubApi((request) => {
      if (request.path !== `/simulation_cases/${CASE_ID}`) return undefined;
      if (request.method === 'GET') return ok(caseRead({ checks: [{ kind: 'turns_at_most', max: 8 }] }));
      // As the reference server answers `checks: [{ kind: 'turns_at_most', max: 99 }]` on PUT.
      return validationFailed(
        [
          { field: '/checks/0/text', message: "must have required property 'text'" },
          { field: '/checks/0/max', message: 'is not a known field' },
          { field: '/checks/0/kind', message: 'must be equal to constant' },
          { field: '/checks/0/pattern', message: "must have required property 'pattern'" },
          { field: '/checks/0/side', message: "must have required property 'side'" },
          { field: '/checks/0/max', message: 'must be <= 50' },
          { field: '/checks/0/name', message: "must have required property 'name'" },
          { field: '/checks/0', message: 'must match exactly one schema in oneOf' },
          { field: '/checks', message: 'must be null' },
          { field: '/checks', message: 'must match exactly one schema in oneOf' },
        ].map((detail) => ({ location: 'body' as const, ...detail })),
      );
    });
    renderRoutes({ '/cases/:id': CasePage }, `/cases/${CASE_ID}`, api.fetch);
    const max = within(await screen.findByRole('group', { name: 'Check 1' })).getByLabelText(/^Most caller turns/);
    type(max, '99');
    fireEvent.click(screen.getByRole('button', { name: 'Save case' }));

    const summary = await screen.findByRole('alert');
    expect(
      within(summary)
        .getAllByRole('listitem')
        .map((item) => item.textContent),
    ).toEqual(['Check 1 › max: must be <= 50']);
    expect(describedText(max)).toContain('must be <= 50');
    expect(api.sent('PUT', `/simulation_cases/${CASE_ID}`)[0]?.body).toMatchObject({ checks: [{ kind: 'turns_at_most', max: 99 }] });
  });
  it('puts the focus in a row just added, and leaves it where the user moves it next', () => {
    const api = stubApi(() => undefined);
    renderRoutes({ '/suites/:id/cases/new': NewCasePage }, `/suites/${SUITE_ID}/cases/new`, api.fetch);
    fireEvent.click(screen.getByRole('button', { name: 'Add criterion' }));
    expect(document.activeElement).toBe(screen.getByLabelText('Criterion 2'));
    fireEvent.click(screen.getByRole('button', { name: 'Add check' }));
    expect(document.activeElement).toBe(within(group('Check 1')).getByLabelText('Kind'));
    fireEvent.click(screen.getByRole('button', { name: 'Add tool mock' }));
    expect(document.activeElement).toBe(within(group('Tool mock 1')).getByLabelText(/^Tool name/));

    const name = screen.getByLabelText(/^Name/);
    name.focus();
    type(name, 'Typed after adding');
    expect(document.activeElement).toBe(name);
  });
});
