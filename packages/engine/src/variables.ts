import type { CustomVariables } from './types.js';

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]{0,63})\s*\}\}/g;

/**
 * Replaces `{{name}}` (spaces inside the braces allowed) with the variable's value: strings as they
 * are, other JSON values as JSON. Placeholders without a variable are left untouched, so a missing
 * variable stays visible in the transcript instead of silently becoming an empty string.
 */
export function substituteVariables(text: string, variables: CustomVariables | null | undefined): string {
  if (!variables) return text;
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    if (!Object.hasOwn(variables, name)) return whole;
    const value = variables[name];
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? whole);
  });
}
