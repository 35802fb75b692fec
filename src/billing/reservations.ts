/**
 * Reserving and settling credit moved to the domain (src/domain/reservations/reservations.ts). Kept for src/callflow/conversation.ts,
 * which is being split into one module per step: remove once it imports the domain module.
 */
export * from '../domain/reservations/reservations';
