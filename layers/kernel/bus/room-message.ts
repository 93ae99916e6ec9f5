import * as z from "zod";

export const ROOM_MESSAGE = "RoomMessage";

/** Room names: 1–64 letters, digits, `_`, `.` or `-`, starting with a letter or digit. */
export const RoomName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "a room name is 1–64 letters, digits, '_', '.' or '-'");
export type RoomName = z.infer<typeof RoomName>;

/** A `RoomMessage` event detail: a message for one room's members (an admin's broadcast). */
export const RoomMessage = z.object({
  room: RoomName,
  from: z.object({ sub: z.string(), username: z.string(), connectionId: z.string().optional() }),
  message: z.string(),
});
export type RoomMessage = z.infer<typeof RoomMessage>;
