import { registerPanel } from './panel/plugin.ts';
import { scimServerPlugin } from './scim/routes/plugin.ts';
import type { ServerPlugin } from './app.ts';
import type { ServerPluginContext } from './start.ts';

/**
 * The parts `userpilot server start` serves besides the agent API: SCIM 2.0 under /scim/v2 and
 * the control panel under /panel.
 */
export function defaultServerParts(context: ServerPluginContext): ServerPlugin[] {
  const panel: ServerPlugin = (app) =>
    registerPanel(app, {
      service: context.service,
      clock: context.clock,
      logger: context.logger,
      ...(context.certificateFingerprint === undefined
        ? {}
        : { certificateFingerprint: context.certificateFingerprint }),
    });
  return [scimServerPlugin(context.service), panel];
}
