import type { FastifyPluginAsync } from 'fastify';

/**
 * Marks a plugin as applying to the whole app rather than to a scope of its own: its hooks, parsers,
 * handlers and routes are those of the instance that registers it. This is what `fastify-plugin`
 * does (Fastify reads the same two symbols); the few lines here spare the server a dependency.
 */
export function appWide<Options>(
  name: string,
  plugin: FastifyPluginAsync<Options & Record<never, never>>,
): FastifyPluginAsync<Options & Record<never, never>> {
  return Object.assign(plugin, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: name,
  });
}
