/**
 * Keeping the callback leg paid for moved to the domain (src/domain/reservations/callback-leg-cover.ts). Kept for src/callflow/conversation.ts,
 * which is being split into one module per step: remove once it imports the domain module.
 */
export * from '../domain/reservations/callback-leg-cover';
