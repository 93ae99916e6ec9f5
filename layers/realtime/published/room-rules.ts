import type { RoomName } from "#kernel/bus/room-message";
import { ACTOR_ROLES, ADMIN_ROLES, READER_ROLES, type Role } from "#shared/identity";

/** Who may join a room (and read its history), and who may post in it. */
export interface RoomRule {
  readonly join: readonly Role[];
  readonly post: readonly Role[];
}

/** Any room not named below: every reader joins and posts. */
export const OPEN_ROOM: RoomRule = { join: READER_ROLES, post: READER_ROLES };

/**
 * The rooms with rules of their own, on every stage: the one place access to rooms is decided,
 * read by `join_room`, `room_message`, `GET /api/websocket/event-history?room=` and the docs
 * (docs/security.md). `ops`: operators and admins post, viewers read. `admins`: admins only.
 */
export const ROOM_RULES: Readonly<Record<string, RoomRule>> = {
  ops: { join: READER_ROLES, post: ACTOR_ROLES },
  admins: { join: ADMIN_ROLES, post: ADMIN_ROLES },
};

/** The rule of `room`. */
export const ruleOf = (room: RoomName): RoomRule => (Object.hasOwn(ROOM_RULES, room) ? ROOM_RULES[room] : undefined) ?? OPEN_ROOM;

const holds = (roles: readonly Role[], allowed: readonly Role[]) => roles.some((role) => allowed.includes(role));
/** Whether a caller with `roles` may join `room` and read its history. */
export const mayJoin = (roles: readonly Role[], room: RoomName): boolean => holds(roles, ruleOf(room).join);
/** Whether a caller with `roles` may post in `room`. */
export const mayPost = (roles: readonly Role[], room: RoomName): boolean => holds(roles, ruleOf(room).post);

/**
 * How much one connection may hold at once; past a limit the answer names it. (Connections per
 * user is the stage's `wsConnectionsPerUser`.)
 */
export const CONNECTION_LIMITS = {
  /** Rooms one connection is in at once (`room_limit`). */
  roomsPerConnection: 10,
} as const;

/**
 * How presence is announced (ADR 0022). In a room of up to `perChangeUpTo` members each join,
 * leave and drop goes to every member as it happens, with the member list. Above that, one
 * change per member per member would make filling a room of n cost n² frames, so changes are
 * gathered and every member gets one `summary` after the first of them, a `summaryDelayFor` the
 * room's size later: a summary costs a frame per member, so a larger room hears less often and
 * no room's presence posts more than about `summaryPostsPerSecond` frames a second.
 */
export const PRESENCE_POLICY = {
  perChangeUpTo: 50,
  /** The shortest wait between a room's first change and its summary. */
  summaryDelaySeconds: 1,
  /** Frames a second a room's summaries may cost (members ÷ interval), up to the longest wait. */
  summaryPostsPerSecond: 50,
  /** The longest wait; a room past `summaryPostsPerSecond` × this many members posts faster. */
  maxSummaryDelaySeconds: 60,
  /** The newest changes a summary names; it counts all of them. */
  changesNamed: 50,
  /** Changes one summary reads; any more are left for the next one, due at once. */
  changesPerSummary: 1_000,
  /** Members a `joined` answer lists; its `memberCount` counts all. */
  membersListed: 100,
} as const;

/** Seconds a room of `memberCount` members gathers changes before its summary goes out. */
export const summaryDelayFor = (memberCount: number): number =>
  Math.min(
    PRESENCE_POLICY.maxSummaryDelaySeconds,
    Math.max(PRESENCE_POLICY.summaryDelaySeconds, Math.ceil(memberCount / PRESENCE_POLICY.summaryPostsPerSecond)),
  );
