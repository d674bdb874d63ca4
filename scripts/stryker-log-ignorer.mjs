// A Stryker ignorer (stryker.config.mjs `ignorers: ['log-calls']`): mutants inside the arguments of a
// logger call (`logger.info(...)`, `deps.logger.warn(...)`, `request.log.error(...)`) are ignored.
// They change what a log line says, not what Helpr does; tests check behaviour, not log wording.
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
const LOGGERS = new Set(['logger', 'log']);

/** `<anything>.logger.info` or `log.warn`: a member call whose object ends in logger/log. */
function isLogCall(node) {
  if (node.type !== 'CallExpression' || node.callee.type !== 'MemberExpression') return false;
  const { object, property } = node.callee;
  if (property.type !== 'Identifier' || !LEVELS.has(property.name)) return false;
  const name = object.type === 'Identifier' ? object.name : object.type === 'MemberExpression' && object.property.type === 'Identifier' ? object.property.name : undefined;
  return name !== undefined && LOGGERS.has(name);
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'log-calls', {
    shouldIgnore(path) {
      return isLogCall(path.node) ? 'Log text: what a log line says is not behaviour that tests pin down' : undefined;
    },
  }),
];
