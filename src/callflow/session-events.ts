/**
 * The session timeline lives in the domain (src/domain/call-sessions/session-events.ts). Kept for
 * src/callflow/conversation.ts, which is being split into one module per step: remove once it imports
 * the domain module.
 */
export { recordEvent, recordStatusOnce, releaseCallbackLock, TIMELINE_MAX, timelineEntry } from '../domain/call-sessions/session-events';
