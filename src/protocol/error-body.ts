import { Type, type Static } from 'typebox';

/**
 * The body of every failed agent API response. `code` is one of the registry's codes and the
 * HTTP status is the registry's status for it; `hint` says what to do next; `details` holds
 * machine-readable facts (for example the clock offset) and never a secret.
 */
export const errorBodySchema = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    hint: Type.Optional(Type.String()),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
});

export type ErrorBody = Static<typeof errorBodySchema>;
