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
 * gathered and every member gets one `summary` `summaryDelaySeconds` after the first of them.
 */
export const PRESENCE_POLICY = {
  perChangeUpTo: 50,
  summaryDelaySeconds: 1,
  /** The newest changes a summary names; it counts all of them. */
  changesNamed: 50,
  /** Changes one summary reads; any more are left for the next one, due at once. */
  changesPerSummary: 1_000,
  /** Members a `joined` answer lists; its `memberCount` counts all. */
  membersListed: 100,
} as const;
