/**
 * A local fake of the Telegram Bot API (https://core.telegram.org/bots/api) for end-to-end tests of
 * a real grammY bot: `new Bot(token, { client: { apiRoot: fake.apiRoot } })`.
 *
 *   const fake = await FakeTelegramServer.start({ token: '123:abc' });
 *   fake.userSends({ from: ANN, chat: privateChat(ANN), text: '/help' });   // queued for getUpdates
 *   await fake.waitFor(() => fake.messagesIn(ANN.id).length > 0);
 *   fake.failNext('sendMessage', 1);                                         // next one: 429 retry_after 1
 *   await fake.stop();
 *
 * It speaks `/bot<token>/<method>` with JSON, form-urlencoded and multipart bodies, answers
 * `{ ok: true, result }` or `{ ok: false, error_code, description, parameters }` like the real
 * server (including "message is not modified", "message to edit not found", "can't initiate
 * conversation", 409 for getUpdates while a webhook is set), keeps the chats' messages so tests can
 * read what a person would see, and records every call.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A Telegram user as the fake knows it. */
export interface FakeUser {
  id: number;
  first_name: string;
  username?: string;
  is_bot?: boolean;
}

export type ChatType = 'private' | 'group' | 'supergroup' | 'channel';

export interface FakeChat {
  id: number;
  type: ChatType;
  title?: string;
  first_name?: string;
  username?: string;
}

/** One API call as the fake saw it. */
export interface RecordedCall {
  method: string;
  payload: Record<string, unknown>;
  /** Date.now() when the call arrived. */
  at: number;
  ok: boolean;
  errorCode?: number;
  /** What the call returned (result on success, the error body otherwise). */
  response: unknown;
}

/** A message in a chat (the bot's or a person's). */
export interface StoredMessage {
  message_id: number;
  chat: FakeChat;
  from: FakeUser;
  date: number;
  text?: string;
  caption?: string;
  reply_markup?: { inline_keyboard: { text: string; callback_data?: string; url?: string }[][] };
  reply_to_message_id?: number;
  photo?: { bytes: number; filename?: string; contentType?: string };
  disable_notification?: boolean;
  deleted: boolean;
  /** Every text the message showed, oldest first (edits append). */
  history: string[];
}

export interface ApiErrorSpec {
  error_code?: number;
  description?: string;
  retry_after?: number;
}

type Json = Record<string, unknown>;

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: Json,
  ) {
    super(description);
  }
}

const bad = (description: string) => new ApiError(400, `Bad Request: ${description}`);

export const privateChat = (u: FakeUser): FakeChat => ({ id: u.id, type: 'private', first_name: u.first_name, ...(u.username ? { username: u.username } : {}) });
export const groupChat = (id: number, title = 'Traders'): FakeChat => ({ id, type: 'supergroup', title });

export class FakeTelegramServer {
  readonly calls: RecordedCall[] = [];
  readonly bot: FakeUser & { username: string };
  /** The webhook set with setWebhook, if any. */
  webhook: { url: string; secret_token?: string } | null = null;
  /** The bot's command menu from setMyCommands (default scope). */
  commands: { command: string; description: string }[] = [];

  private server!: http.Server;
  private port = 0;
  private nextUpdateId = 1;
  private nextMessageId = 1;
  private nextCallbackId = 1;
  private updates: Json[] = [];
  private pollers = new Set<{ resolve: () => void }>();
  private readonly messages = new Map<string, StoredMessage>();
  private readonly faults = new Map<string, ApiErrorSpec[]>();
  private readonly started = new Set<number>();
  private readonly blocked = new Set<number>();
  private readonly members = new Map<string, string>();
  private readonly deleteRights = new Set<number>();
  private readonly callbacks = new Map<string, { answered: boolean; from: FakeUser }>();
  private readonly listeners = new Set<() => void>();
  private stopped = false;

  private constructor(readonly token: string, bot?: Partial<FakeUser>) {
    this.bot = { id: Number(token.split(':')[0]) || 777, first_name: 'yesno', username: 'yesno_test_bot', is_bot: true, ...bot } as FakeUser & { username: string };
  }

  static async start(opts: { token: string; bot?: Partial<FakeUser> }): Promise<FakeTelegramServer> {
    const fake = new FakeTelegramServer(opts.token, opts.bot);
    fake.server = http.createServer((req, res) => void fake.route(req, res));
    fake.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  /** The Bot API root for grammY's `client.apiRoot` (no trailing slash). */
  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const p of this.pollers) p.resolve();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- what tests set up -------------------------------------------------------------------

  /** The next `count` calls of `method` fail (default: 429 with retry_after 1 s, like flood control). */
  failNext(method: string, count = 1, spec: ApiErrorSpec = {}): void {
    const list = this.faults.get(method) ?? [];
    for (let i = 0; i < count; i++) list.push(spec);
    this.faults.set(method, list);
  }

  /** getChatMember's status of `userId` in `chatId` (default "member"). */
  setMember(chatId: number, userId: number, status: 'creator' | 'administrator' | 'member' | 'restricted' | 'left' | 'kicked'): void {
    this.members.set(`${chatId}:${userId}`, status);
  }

  /** Whether the bot is an admin allowed to delete other people's messages in `chatId`. */
  setCanDelete(chatId: number, can: boolean): void {
    if (can) this.deleteRights.add(chatId);
    else this.deleteRights.delete(chatId);
  }

  /** The user blocked the bot: sending to their private chat answers 403. */
  block(userId: number): void {
    this.blocked.add(userId);
  }

  // ---- what people do ------------------------------------------------------------------------

  /**
   * A person sends a text message; it is queued for getUpdates (and returned for webhook tests).
   * A leading "/command" gets a bot_command entity like real clients add, unless `entities` is given.
   */
  userSends(args: { from: FakeUser; chat: FakeChat; text: string; entities?: Json[]; queue?: boolean }): { update: Json; message: StoredMessage } {
    const message = this.store({ chat: args.chat, from: args.from, text: args.text });
    if (args.chat.type === 'private') this.started.add(args.from.id);
    const m = /^\/[^\s]+/.exec(args.text);
    const entities = args.entities ?? (m ? [{ type: 'bot_command', offset: 0, length: m[0].length }] : undefined);
    const update = this.newUpdate({ message: { ...this.wire(message), ...(entities && entities.length > 0 ? { entities } : {}) } });
    if (args.queue !== false) this.enqueue(update);
    return { update, message };
  }

  /** A person presses an inline button of `message`. */
  userPresses(args: { from: FakeUser; message: StoredMessage; data: string; queue?: boolean }): { update: Json; callbackId: string } {
    const callbackId = `cb${this.nextCallbackId++}`;
    this.callbacks.set(callbackId, { answered: false, from: args.from });
    const update = this.newUpdate({
      callback_query: { id: callbackId, from: this.user(args.from), chat_instance: `ci${args.message.chat.id}`, message: this.wire(args.message), data: args.data },
    });
    if (args.queue !== false) this.enqueue(update);
    return { update, callbackId };
  }

  /** Presses the button labelled `label` on `message`. */
  press(from: FakeUser, message: StoredMessage, label: string): { update: Json; callbackId: string } {
    const button = message.reply_markup?.inline_keyboard.flat().find((b) => b.text === label);
    if (!button?.callback_data) throw new Error(`no button ${JSON.stringify(label)} on message ${message.message_id}: ${JSON.stringify(message.reply_markup)}`);
    return this.userPresses({ from, message, data: button.callback_data });
  }

  // ---- what tests read -----------------------------------------------------------------------

  /** The bot's messages in a chat that are not deleted, oldest first. */
  messagesIn(chatId: number): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.chat.id === chatId && m.from.id === this.bot.id && !m.deleted);
  }

  message(chatId: number, messageId: number): StoredMessage | undefined {
    return this.messages.get(`${chatId}:${messageId}`);
  }

  callsOf(method: string, where: (payload: Record<string, unknown>) => boolean = () => true): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && where(c.payload));
  }

  /** The answer given to a callback query, if any. */
  answerOf(callbackId: string): Record<string, unknown> | undefined {
    return this.calls.find((c) => c.method === 'answerCallbackQuery' && c.ok && c.payload.callback_query_id === callbackId)?.payload;
  }

  /** Resolves when `check` returns a truthy value (re-checked on every call the fake answers). */
  async waitFor<T>(check: () => T | undefined | null | false, opts: { timeoutMs?: number; what?: string } = {}): Promise<T> {
    const first = check();
    if (first) return first;
    const timeoutMs = opts.timeoutMs ?? 5000;
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.listeners.delete(listener);
      };
      const listener = () => {
        const v = check();
        if (v) {
          done();
          resolve(v);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${opts.what ?? 'a condition'}; last calls: ${JSON.stringify(this.calls.slice(-5).map((c) => [c.method, c.payload, c.response]))}`));
      }, timeoutMs);
      // Also re-check on a timer: some conditions depend on things outside the fake.
      const poll = setInterval(listener, 50);
      this.listeners.add(listener);
    });
  }

  /** Waits for the bot's next new message in `chatId` (after those present now). */
  async nextMessage(chatId: number, opts: { timeoutMs?: number; matching?: RegExp } = {}): Promise<StoredMessage> {
    const seen = new Set(this.messagesIn(chatId).map((m) => m.message_id));
    return this.waitFor(
      () => this.messagesIn(chatId).find((m) => !seen.has(m.message_id) && (!opts.matching || opts.matching.test(m.text ?? m.caption ?? ''))),
      { timeoutMs: opts.timeoutMs, what: `a new message in chat ${chatId}${opts.matching ? ` matching ${opts.matching}` : ''}` },
    );
  }

  /** Updates not yet confirmed by a getUpdates offset. */
  get pendingUpdates(): number {
    return this.updates.length;
  }

  // ---- the HTTP side -------------------------------------------------------------------------

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec((req.url ?? '').split('?')[0]!);
    let payload: Json = {};
    try {
      payload = await readBody(req);
    } catch {
      return send(res, 400, { ok: false, error_code: 400, description: 'Bad Request: invalid body' });
    }
    if (!m) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token, method] = m as unknown as [string, string, string];
    if (token !== this.token) return send(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const call: RecordedCall = { method, payload, at: Date.now(), ok: false, response: null };
    this.calls.push(call);
    try {
      const fault = this.faults.get(method)?.shift();
      if (fault) {
        const code = fault.error_code ?? 429;
        const retry = fault.retry_after ?? (code === 429 ? 1 : undefined);
        throw new ApiError(code, fault.description ?? (code === 429 ? `Too Many Requests: retry after ${retry}` : 'Internal Server Error'), retry !== undefined ? { retry_after: retry } : undefined);
      }
      const result = method === 'getUpdates' ? await this.getUpdates(payload, req) : this.handle(method, payload);
      call.ok = true;
      call.response = result;
      send(res, 200, { ok: true, result });
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(500, `Internal Server Error: ${(err as Error).message}`);
      const body = { ok: false, error_code: e.code, description: e.description, ...(e.parameters ? { parameters: e.parameters } : {}) };
      call.errorCode = e.code;
      call.response = body;
      send(res, e.code, body);
    }
    for (const l of [...this.listeners]) l();
  }

  private handle(method: string, p: Json): unknown {
    switch (method) {
      case 'getMe':
        return {
          ...this.user(this.bot),
          can_join_groups: true,
          can_read_all_group_messages: false,
          supports_inline_queries: false,
          can_connect_to_business: false,
          has_main_web_app: false,
          has_topics_enabled: false,
          allows_users_to_create_topics: false,
          can_manage_bots: false,
          supports_join_request_queries: false,
        };
      case 'setWebhook':
        if (typeof p.url !== 'string') throw bad('bad webhook: URL is missing');
        if (p.secret_token !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(String(p.secret_token))) throw bad('secret token contains unallowed characters');
        this.webhook = { url: p.url, ...(p.secret_token !== undefined ? { secret_token: String(p.secret_token) } : {}) };
        return true;
      case 'deleteWebhook':
        this.webhook = null;
        if (p.drop_pending_updates) this.updates = [];
        return true;
      case 'getWebhookInfo':
        return { url: this.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: this.updates.length };
      case 'setMyCommands': {
        const cmds = p.commands as { command: string; description: string }[] | undefined;
        if (!Array.isArray(cmds) || cmds.length > 100) throw bad('commands must be an array of at most 100');
        for (const c of cmds) {
          if (!/^[a-z0-9_]{1,32}$/.test(c.command)) throw bad('BOT_COMMAND_INVALID');
          if (typeof c.description !== 'string' || c.description.length < 1 || c.description.length > 256) throw bad('BOT_COMMAND_DESCRIPTION_INVALID');
        }
        if (p.scope === undefined) this.commands = cmds;
        return true;
      }
      case 'sendMessage':
        return this.wire(this.sendTo(p, { text: this.checkText(p.text, 4096) }));
      case 'sendPhoto': {
        const photo = p.photo;
        if (photo === undefined) throw bad('there is no photo in the request');
        const info = photo instanceof FilePart ? { bytes: photo.bytes, filename: photo.filename, contentType: photo.contentType } : { bytes: 0, filename: String(photo) };
        const caption = p.caption === undefined ? undefined : this.checkText(p.caption, 1024);
        return this.wire(this.sendTo(p, { photo: info, ...(caption !== undefined ? { caption } : {}) }));
      }
      case 'editMessageText': {
        const msg = this.find(p);
        const text = this.checkText(p.text, 4096);
        const markup = this.markup(p.reply_markup);
        if (msg.text === text && JSON.stringify(msg.reply_markup ?? null) === JSON.stringify(markup ?? null)) {
          throw bad('message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
        }
        msg.text = text;
        if (markup) msg.reply_markup = markup;
        else delete msg.reply_markup;
        msg.history.push(text);
        return this.wire(msg);
      }
      case 'editMessageReplyMarkup': {
        const msg = this.find(p);
        const markup = this.markup(p.reply_markup);
        if (JSON.stringify(msg.reply_markup ?? null) === JSON.stringify(markup ?? null)) {
          throw bad('message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
        }
        if (markup) msg.reply_markup = markup;
        else delete msg.reply_markup;
        return this.wire(msg);
      }
      case 'deleteMessage': {
        const msg = this.messages.get(`${p.chat_id}:${p.message_id}`);
        if (!msg || msg.deleted) throw bad('message to delete not found');
        const own = msg.from.id === this.bot.id;
        if (msg.chat.type !== 'private' && !own && !this.deleteRights.has(msg.chat.id)) throw bad("message can't be deleted");
        msg.deleted = true;
        return true;
      }
      case 'answerCallbackQuery': {
        const cb = this.callbacks.get(String(p.callback_query_id));
        if (!cb || cb.answered) throw bad('query is too old and response timeout expired or query ID is invalid');
        if (typeof p.text === 'string' && p.text.length > 200) throw bad('MESSAGE_TOO_LONG');
        cb.answered = true;
        return true;
      }
      case 'getChatMember': {
        const status = this.members.get(`${p.chat_id}:${p.user_id}`) ?? 'member';
        return { status, user: { id: Number(p.user_id), is_bot: false, first_name: `user${p.user_id}` } };
      }
      case 'sendChatAction':
        return true;
      default:
        throw new ApiError(404, 'Not Found: method not found');
    }
  }

  private async getUpdates(p: Json, req: http.IncomingMessage): Promise<Json[]> {
    if (this.webhook) throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    const offset = Number(p.offset ?? 0);
    const limit = Math.min(100, Math.max(1, Number(p.limit ?? 100)));
    const timeout = Math.min(50, Math.max(0, Number(p.timeout ?? 0)));
    if (offset > 0) this.updates = this.updates.filter((u) => (u.update_id as number) >= offset);
    const take = () => this.updates.filter((u) => (u.update_id as number) >= offset).slice(0, limit);
    let batch = take();
    if (batch.length === 0 && timeout > 0 && !this.stopped) {
      await new Promise<void>((resolve) => {
        const poller = { resolve: () => finish() };
        const timer = setTimeout(() => finish(), timeout * 1000);
        const finish = () => {
          clearTimeout(timer);
          this.pollers.delete(poller);
          req.off('close', onClose);
          resolve();
        };
        const onClose = () => finish();
        req.on('close', onClose);
        this.pollers.add(poller);
      });
      batch = take();
    }
    return batch;
  }

  // ---- helpers -------------------------------------------------------------------------------

  private newUpdate(body: Json): Json {
    return { update_id: this.nextUpdateId++, ...body };
  }

  private enqueue(update: Json): void {
    this.updates.push(update);
    for (const p of [...this.pollers]) p.resolve();
  }

  private store(args: Omit<StoredMessage, 'message_id' | 'date' | 'deleted' | 'history'>): StoredMessage {
    const msg: StoredMessage = { ...args, message_id: this.nextMessageId++, date: Math.floor(Date.now() / 1000), deleted: false, history: args.text !== undefined ? [args.text] : [] };
    this.messages.set(`${msg.chat.id}:${msg.message_id}`, msg);
    return msg;
  }

  private chatOf(chatId: unknown): FakeChat {
    const id = Number(chatId);
    if (!Number.isInteger(id) || id === 0) throw bad('chat not found');
    if (id > 0) {
      if (this.blocked.has(id)) throw new ApiError(403, 'Forbidden: bot was blocked by the user');
      if (!this.started.has(id)) throw new ApiError(403, "Forbidden: bot can't initiate conversation with a user");
      return { id, type: 'private', first_name: `user${id}` };
    }
    const known = [...this.messages.values()].find((m) => m.chat.id === id)?.chat;
    return known ?? { id, type: 'supergroup', title: `group ${id}` };
  }

  private sendTo(p: Json, content: Partial<StoredMessage>): StoredMessage {
    const chat = this.chatOf(p.chat_id);
    const markup = this.markup(p.reply_markup);
    const replyTo = (p.reply_parameters as { message_id?: number } | undefined)?.message_id;
    return this.store({
      chat,
      from: this.bot,
      ...content,
      ...(markup ? { reply_markup: markup } : {}),
      ...(replyTo !== undefined ? { reply_to_message_id: replyTo } : {}),
      ...(p.disable_notification ? { disable_notification: true } : {}),
    });
  }

  private find(p: Json): StoredMessage {
    if (p.inline_message_id !== undefined) throw bad('inline messages are not supported by this fake');
    const msg = this.messages.get(`${p.chat_id}:${p.message_id}`);
    if (!msg || msg.deleted) throw bad('message to edit not found');
    if (msg.from.id !== this.bot.id) throw bad("message can't be edited");
    return msg;
  }

  private checkText(v: unknown, max: number): string {
    if (typeof v !== 'string' || v.trim() === '') throw bad('message text is empty');
    if (v.length > max) throw bad('message is too long');
    return v;
  }

  private markup(v: unknown): StoredMessage['reply_markup'] | undefined {
    if (v === undefined || v === null) return undefined;
    const m = (typeof v === 'string' ? JSON.parse(v) : v) as { inline_keyboard?: unknown };
    if (!Array.isArray(m.inline_keyboard)) throw bad("can't parse reply keyboard markup JSON object");
    for (const row of m.inline_keyboard as unknown[]) {
      if (!Array.isArray(row)) throw bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
      for (const b of row as { text?: unknown; callback_data?: unknown }[]) {
        if (typeof b.text !== 'string' || b.text === '') throw bad('text buttons are unallowed in the inline keyboard');
        if (typeof b.callback_data === 'string' && Buffer.byteLength(b.callback_data) > 64) throw bad('BUTTON_DATA_INVALID');
      }
    }
    // An empty keyboard shows nothing: Telegram treats it as no keyboard.
    if ((m.inline_keyboard as unknown[][]).every((r) => r.length === 0)) return undefined;
    return m as StoredMessage['reply_markup'];
  }

  private user(u: FakeUser): Json {
    return { id: u.id, is_bot: u.is_bot ?? false, first_name: u.first_name, ...(u.username ? { username: u.username } : {}) };
  }

  /** A stored message as the Bot API returns it. */
  private wire(m: StoredMessage): Json {
    return {
      message_id: m.message_id,
      date: m.date,
      chat: m.chat,
      from: this.user(m.from),
      ...(m.text !== undefined ? { text: m.text } : {}),
      ...(m.caption !== undefined ? { caption: m.caption } : {}),
      ...(m.photo ? { photo: [{ file_id: `ph${m.message_id}`, file_unique_id: `u${m.message_id}`, width: 800, height: 400, file_size: m.photo.bytes }] } : {}),
      ...(m.reply_markup ? { reply_markup: m.reply_markup } : {}),
    };
  }
}

/** A file from a multipart body. */
class FilePart {
  constructor(
    readonly bytes: number,
    readonly filename: string | undefined,
    readonly contentType: string | undefined,
  ) {}
}

async function readBody(req: http.IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (raw.length === 0) return {};
  if (type.startsWith('application/json')) return JSON.parse(raw.toString('utf8')) as Json;
  if (type.startsWith('application/x-www-form-urlencoded')) return decodeFields(new URLSearchParams(raw.toString('utf8')).entries());
  if (type.startsWith('multipart/form-data')) {
    const form = await new Response(raw, { headers: { 'content-type': req.headers['content-type']! } }).formData();
    const out: Json = {};
    const files = new Map<string, FilePart>();
    const fields: [string, string][] = [];
    for (const [k, v] of form.entries()) {
      if (typeof v === 'string') fields.push([k, v]);
      else files.set(k, new FilePart(v.size, v.name || undefined, v.type || undefined));
    }
    Object.assign(out, decodeFields(fields.values()));
    // grammY sends `photo: "attach://<name>"` and the file under <name>.
    for (const [k, v] of Object.entries(out)) {
      if (typeof v === 'string' && v.startsWith('attach://')) out[k] = files.get(v.slice('attach://'.length)) ?? v;
    }
    for (const [k, f] of files) if (!(k in out) && !/^[a-z0-9]{16,}$/i.test(k)) out[k] = f;
    return out;
  }
  return JSON.parse(raw.toString('utf8')) as Json;
}

/** Form fields: JSON-looking values (objects, arrays, numbers, booleans) are parsed like the real server does. */
function decodeFields(entries: Iterable<[string, string]>): Json {
  const out: Json = {};
  for (const [k, v] of entries) {
    try {
      out[k] = /^[[{]|^-?\d+(\.\d+)?$|^(true|false)$/.test(v) ? JSON.parse(v) : v;
    } catch {
      out[k] = v;
    }
  }
  return out;
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}
