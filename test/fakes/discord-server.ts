/**
 * A local fake of Discord for end-to-end tests: one HTTP server speaking the REST API v10 (the
 * routes a bot uses: gateway discovery, command registration, interaction callbacks and webhooks,
 * DM channels, channel messages) and, on the same port, a `ws` gateway (HELLO, IDENTIFY → READY,
 * heartbeat ACK, RESUME → replay + RESUMED, RECONNECT on demand) that dispatches INTERACTION_CREATE
 * built like Discord's. A real discord.js client logs in against it with
 * `rest: { api: fake.apiUrl }`.
 *
 * It records every REST call, keeps every message with the history of its contents, and can answer
 * the next N matching calls with 429 the way Discord does (JSON `retry_after`, `Retry-After` and
 * `X-RateLimit-*` headers). Creating a message with `enforce_nonce` returns the message already
 * created with that nonce, as Discord does.
 *
 *   const fake = await startFakeDiscord({ token, appId });
 *   const ix = fake.slash('balance', {}, { user: ann });
 *   const msg = await fake.answer(ix);   // the message the bot answered with
 *   await fake.close();
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** A Discord user the tests act as. */
export interface FakeUser {
  id: string;
  username: string;
  globalName?: string;
}

/** Where and as whom an interaction happens: a DM with the bot by default, or a guild channel. */
export interface Who {
  user: FakeUser;
  guildId?: string;
  channelId?: string;
  /** The member's permissions in the channel (bit set as a decimal string). Default "0". */
  permissions?: string;
}

/** A slash command option as Discord sends it (without its name): a value, or a subcommand with its options. */
export type SlashOption = { type: number; value: unknown } | { type: 1 | 2; options: { name: string; type: number; value?: unknown; options?: unknown[] }[] };

export interface RecordedCall {
  method: string;
  /** Decoded path after /api/v10, e.g. /webhooks/1/tok/messages/@original. */
  path: string;
  query: string;
  body: any;
  status: number;
  at: number;
}

export interface FakeMessage {
  id: string;
  channelId: string;
  content: string;
  components: any[];
  flags: number;
  nonce?: string;
  /** Set for interaction responses and follow-ups. */
  interactionId?: string;
  attachments: { id: string; filename: string; size: number }[];
  /** Every content the message had, oldest first (the first is what was created). */
  history: string[];
  deleted: boolean;
  createdAt: number;
  editedAt: number | null;
}

export interface FakeInteraction {
  id: string;
  token: string;
  type: number;
  channelId: string;
  userId: string;
  /** The message a component interaction came from. */
  componentMessageId?: string;
  callback?: { type: number; data: any };
  originalMessageId?: string;
  /** The original response was edited after a deferral (type 5 or 6). */
  editedAfterDefer: boolean;
  followupIds: string[];
  choices?: { name: string; value: string }[];
}

export interface RateLimitRule {
  method?: string;
  path: RegExp;
  /** How many matching calls get a 429. */
  count: number;
  /** Seconds, as in the JSON body. */
  retryAfter: number;
  /** The Retry-After header (seconds); Discord rounds up. Default Math.ceil(retryAfter). */
  retryAfterHeader?: string;
  global?: boolean;
}

export interface FakeDiscordOptions {
  token: string;
  appId: string;
  botUserId?: string;
  botUsername?: string;
  heartbeatIntervalMs?: number;
}

const EPOCH = 1420070400000n;
const LOADING = 1 << 7;
const EPHEMERAL = 1 << 6;

export class FakeDiscord {
  readonly calls: RecordedCall[] = [];
  readonly messages = new Map<string, FakeMessage>();
  readonly interactions = new Map<string, FakeInteraction>();
  /** Registered command sets by scope ("global" or "guild:<id>"). */
  readonly commands = new Map<string, any[]>();
  /** Gateway opcodes received (2 identify, 6 resume, 1 heartbeat), in order. */
  readonly gatewayOps: number[] = [];
  readonly events = new EventEmitter();
  apiUrl = '';
  gatewayUrl = '';

  private server: Server;
  private wss: WebSocketServer;
  private socket: WebSocket | null = null;
  private sessionId = `sess_${Math.random().toString(36).slice(2)}`;
  private seq = 0;
  private sent: { s: number; payload: string }[] = [];
  private counter = 0n;
  private readonly dmChannels = new Map<string, string>();
  private readonly rules: (RateLimitRule & { left: number })[] = [];
  /** Users who do not accept DMs from the bot (POSTs to their DM channel answer 403, code 50007). */
  readonly refusingDms = new Set<string>();
  private readonly botUser: { id: string; username: string; discriminator: string; avatar: null; bot: true; global_name: null };

  constructor(private readonly opts: FakeDiscordOptions) {
    this.events.setMaxListeners(100);
    this.botUser = { id: opts.botUserId ?? '900000000000000001', username: opts.botUsername ?? 'yesno', discriminator: '0', avatar: null, bot: true, global_name: null };
    this.server = createServer((req, res) => void this.onHttp(req, res));
    this.wss = new WebSocketServer({ server: this.server, path: '/gateway' });
    this.wss.on('connection', (ws) => this.onSocket(ws));
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.apiUrl = `http://127.0.0.1:${port}/api`;
    this.gatewayUrl = `ws://127.0.0.1:${port}/gateway`;
    return this;
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- test controls -------------------------------------------------------------------------

  /** A fresh snowflake (increasing). */
  snowflake(): string {
    this.counter += 1n;
    return (((BigInt(Date.now()) - EPOCH) << 22n) + (this.counter & 0x3fffffn)).toString();
  }

  /** The DM channel between the bot and a user (the one POST /users/@me/channels returns). */
  dmChannelOf(userId: string): string {
    let id = this.dmChannels.get(userId);
    if (!id) {
      id = this.snowflake();
      this.dmChannels.set(userId, id);
    }
    return id;
  }

  /** Answer the next `count` calls matching the rule with 429. */
  rateLimit(rule: RateLimitRule): void {
    this.rules.push({ ...rule, left: rule.count });
  }

  /** Resolves with `probe()`'s value once it is truthy (re-checked on every call and gateway event). */
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs = 5000, what = 'condition'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const v = probe();
        if (v) {
          done();
          resolve(v);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`fake discord: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const poll = setInterval(check, 50);
      const done = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.events.off('change', check);
      };
      this.events.on('change', check);
      check();
    });
  }

  /**
   * Dispatches a slash command; option values are strings unless given as { type, value }, and a
   * subcommand is { type: 1, options: [{ name, type, value }, …] }.
   */
  slash(name: string, options: Record<string, string | SlashOption>, who: Who): FakeInteraction {
    const data = {
      id: this.commandId(name),
      name,
      type: 1,
      options: Object.entries(options).map(([n, v]) => (typeof v === 'string' ? { name: n, type: 3, value: v } : { name: n, ...v })),
      ...(who.guildId ? { guild_id: who.guildId } : {}),
    };
    return this.interact(2, data, who);
  }

  /** Dispatches an autocomplete request while the user types `focused` into option `focusedName`. */
  autocomplete(name: string, focusedName: string, typed: string, who: Who, others: Record<string, string> = {}): FakeInteraction {
    const options = [
      ...Object.entries(others).map(([n, v]) => ({ name: n, type: 3, value: v })),
      { name: focusedName, type: 3, value: typed, focused: true },
    ];
    return this.interact(4, { id: this.commandId(name), name, type: 1, options }, who);
  }

  /** Presses a button of a message. */
  click(message: FakeMessage, customId: string, who: Who): FakeInteraction {
    return this.interact(3, { custom_id: customId, component_type: 2 }, who, message);
  }

  /** Resolves with the message answering an interaction once it is final (a deferral edited in). */
  async answer(ix: FakeInteraction, timeoutMs = 5000): Promise<FakeMessage> {
    return this.waitFor(
      () => {
        const cb = ix.callback;
        if (!cb || !ix.originalMessageId) return undefined;
        const deferred = cb.type === 5 || cb.type === 6;
        if (deferred && !ix.editedAfterDefer) return undefined;
        // A button answered with a new message (not an update) is a reply of type 4.
        return this.messages.get(ix.originalMessageId);
      },
      timeoutMs,
      `the answer to interaction ${ix.id}`,
    );
  }

  /** The follow-up messages of an interaction. */
  followups(ix: FakeInteraction): FakeMessage[] {
    return ix.followupIds.map((id) => this.messages.get(id)!);
  }

  /** Live messages of a channel, oldest first. */
  channelMessages(channelId: string): FakeMessage[] {
    return [...this.messages.values()].filter((m) => m.channelId === channelId && !m.deleted).sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Asks the connected client to reconnect (gateway op 7); it should resume the session. */
  requestReconnect(): void {
    this.socket?.send(JSON.stringify({ op: 7, d: null, s: null, t: null }));
  }

  /** Sends a dispatch event to the client (buffered for replay on resume). */
  dispatch(t: string, d: unknown): void {
    this.seq += 1;
    const payload = JSON.stringify({ op: 0, t, s: this.seq, d });
    this.sent.push({ s: this.seq, payload });
    if (this.sent.length > 1000) this.sent.shift();
    if (this.socket && this.socket.readyState === this.socket.OPEN) this.socket.send(payload);
  }

  // ---- interactions --------------------------------------------------------------------------

  private commandId(name: string): string {
    for (const set of this.commands.values()) {
      const c = set.find((x) => x.name === name);
      if (c) return c.id;
    }
    return '100000000000000000';
  }

  private interact(type: number, data: any, who: Who, message?: FakeMessage): FakeInteraction {
    const id = this.snowflake();
    const token = `itok.${id}.${Math.random().toString(36).slice(2)}`;
    const guild = who.guildId;
    const channelId = message?.channelId ?? who.channelId ?? (guild ? '300000000000000001' : this.dmChannelOf(who.user.id));
    const user = { id: who.user.id, username: who.user.username, global_name: who.user.globalName ?? null, discriminator: '0', avatar: null };
    const ix: FakeInteraction = { id, token, type, channelId, userId: who.user.id, componentMessageId: message?.id, editedAfterDefer: false, followupIds: [] };
    this.interactions.set(id, ix);
    const raw = {
      id,
      application_id: this.opts.appId,
      type,
      token,
      version: 1,
      data,
      channel: guild ? { id: channelId, type: 0, guild_id: guild, name: 'trading', flags: 0 } : { id: channelId, type: 1, flags: 0, recipients: [user] },
      channel_id: channelId,
      ...(guild
        ? {
            guild_id: guild,
            guild: { id: guild, locale: 'en-US', features: [] },
            guild_locale: 'en-US',
            member: { user, roles: [], permissions: who.permissions ?? '0', joined_at: new Date(0).toISOString(), deaf: false, mute: false, flags: 0, nick: null, avatar: null, pending: false },
          }
        : { user }),
      ...(message ? { message: this.messageJson(message) } : {}),
      locale: 'en-US',
      app_permissions: '2248473465835073',
      entitlements: [],
      authorizing_integration_owners: guild ? { '0': guild } : { '1': who.user.id },
      context: guild ? 0 : 1,
      attachment_size_limit: 10 * 1024 * 1024,
    };
    this.dispatch('INTERACTION_CREATE', raw);
    this.changed();
    return ix;
  }

  // ---- gateway -------------------------------------------------------------------------------

  private onSocket(ws: WebSocket): void {
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: this.opts.heartbeatIntervalMs ?? 41_250 }, s: null, t: null }));
    ws.on('message', (raw) => {
      let msg: { op: number; d: any };
      try {
        msg = JSON.parse(raw.toString());
      } catch {
        ws.close(4002, 'Error while decoding payload.');
        return;
      }
      this.gatewayOps.push(msg.op);
      if (msg.op === 1) {
        ws.send(JSON.stringify({ op: 11, d: null, s: null, t: null }));
      } else if (msg.op === 2) {
        if (msg.d?.token !== this.opts.token && msg.d?.token !== `Bot ${this.opts.token}`) {
          ws.close(4004, 'Authentication failed.');
          return;
        }
        this.socket = ws;
        this.sessionId = `sess_${Math.random().toString(36).slice(2)}`;
        this.sent = [];
        this.seq = 0;
        this.dispatch('READY', {
          v: 10,
          user: this.botUser,
          guilds: [],
          session_id: this.sessionId,
          resume_gateway_url: this.gatewayUrl,
          shard: [0, 1],
          application: { id: this.opts.appId, flags: 0 },
        });
      } else if (msg.op === 6) {
        if (msg.d?.session_id !== this.sessionId) {
          ws.send(JSON.stringify({ op: 9, d: false, s: null, t: null }));
          return;
        }
        this.socket = ws;
        for (const e of this.sent) if (e.s > (msg.d.seq ?? 0)) ws.send(e.payload);
        this.dispatch('RESUMED', {});
      }
      this.changed();
    });
    ws.on('close', () => {
      if (this.socket === ws) this.socket = null;
      this.changed();
    });
  }

  // ---- REST ----------------------------------------------------------------------------------

  private changed(): void {
    this.events.emit('change');
  }

  private async onHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = decodeURIComponent(url.pathname).replace(/^\/api\/v10/, '');
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    let body: any = null;
    const type = req.headers['content-type'] ?? '';
    let files: { filename: string; size: number }[] = [];
    if (raw.length > 0 && type.startsWith('multipart/form-data')) {
      const form = await new Request('http://x', { method: 'POST', headers: { 'content-type': type }, body: new Uint8Array(raw) }).formData();
      body = JSON.parse(String(form.get('payload_json') ?? '{}'));
      files = [...form.entries()].filter(([, v]) => typeof v !== 'string').map(([, v]) => ({ filename: (v as File).name, size: (v as File).size }));
    } else if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        body = raw.toString('utf8');
      }
    }
    const call: RecordedCall = { method, path, query: url.search, body, status: 0, at: Date.now() };
    this.calls.push(call);
    const send = (status: number, json?: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      res.writeHead(status, { ...(json !== undefined ? { 'content-type': 'application/json' } : {}), ...headers });
      res.end(json !== undefined ? JSON.stringify(json) : undefined);
      this.changed();
    };

    const rule = this.rules.find((r) => r.left > 0 && (!r.method || r.method === method) && r.path.test(path));
    if (rule) {
      rule.left -= 1;
      const after = rule.retryAfterHeader ?? String(Math.ceil(rule.retryAfter));
      send(
        429,
        { message: 'You are being rate limited.', retry_after: rule.retryAfter, global: rule.global ?? false, code: rule.global ? 0 : undefined },
        {
          'retry-after': after,
          'x-ratelimit-limit': '5',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String((Date.now() + rule.retryAfter * 1000) / 1000),
          'x-ratelimit-reset-after': String(rule.retryAfter),
          'x-ratelimit-bucket': `fake-${rule.path.source.length}`,
          'x-ratelimit-scope': rule.global ? 'global' : 'user',
          ...(rule.global ? { 'x-ratelimit-global': 'true' } : {}),
        },
      );
      return;
    }

    const authed = req.headers.authorization === `Bot ${this.opts.token}`;
    const open = /^\/(interactions|webhooks)\//.test(path);
    if (!open && !authed) return send(401, { message: '401: Unauthorized', code: 0 });

    let m: RegExpMatchArray | null;
    if (method === 'GET' && (path === '/gateway/bot' || path === '/gateway')) {
      return send(200, { url: this.gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 } });
    }
    if ((m = path.match(/^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/))) {
      if (m[1] !== this.opts.appId) return send(403, { message: 'Missing Access', code: 50001 });
      const scope = m[2] ? `guild:${m[2]}` : 'global';
      if (method === 'GET') return send(200, this.commands.get(scope) ?? []);
      if (method === 'PUT') {
        if (!Array.isArray(body)) return send(400, { message: 'Invalid Form Body', code: 50035 });
        const saved = body.map((c: any) => ({ ...c, id: this.snowflake(), application_id: this.opts.appId, version: this.snowflake(), ...(m![2] ? { guild_id: m![2] } : {}) }));
        this.commands.set(scope, saved);
        return send(200, saved);
      }
    }
    if (method === 'POST' && (m = path.match(/^\/interactions\/(\d+)\/([^/]+)\/callback$/))) {
      return this.onCallback(m[1]!, m[2]!, body, url.searchParams.get('with_response') === 'true', files, send);
    }
    if ((m = path.match(/^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/([^/]+))?$/))) {
      const ix = [...this.interactions.values()].find((i) => i.token === m![2]);
      if (!ix || m[1] !== this.opts.appId) return send(404, { message: 'Unknown Webhook', code: 10015 });
      const target = m[3];
      if (!target && method === 'POST') {
        if (!ix.callback) return send(400, { message: 'Interaction has not been acknowledged.', code: 40060 });
        const bad = invalidMessage(body);
        if (bad) return send(400, { message: `Invalid Form Body: ${bad}`, code: 50035 });
        const msg = this.createMessage(ix.channelId, body, files, ix.id);
        ix.followupIds.push(msg.id);
        return send(200, this.messageJson(msg));
      }
      const id = target === '@original' ? ix.originalMessageId : target;
      const msg = id ? this.messages.get(id) : undefined;
      if (!msg || msg.deleted) return send(404, { message: 'Unknown Message', code: 10008 });
      if (method === 'GET') return send(200, this.messageJson(msg));
      if (method === 'DELETE') {
        msg.deleted = true;
        return send(204);
      }
      if (method === 'PATCH') {
        const bad = invalidMessage(body);
        if (bad) return send(400, { message: `Invalid Form Body: ${bad}`, code: 50035 });
        this.editMessage(msg, body, files);
        if (target === '@original') ix.editedAfterDefer = true;
        return send(200, this.messageJson(msg));
      }
    }
    if (method === 'POST' && path === '/users/@me/channels') {
      const recipient = String(body?.recipient_id ?? '');
      if (!/^\d+$/.test(recipient)) return send(400, { message: 'Invalid Form Body', code: 50035 });
      return send(200, { id: this.dmChannelOf(recipient), type: 1, last_message_id: null, flags: 0, recipients: [{ id: recipient, username: `user${recipient}`, discriminator: '0', avatar: null, global_name: null }] });
    }
    if ((m = path.match(/^\/channels\/(\d+)\/messages(?:\/(\d+))?$/))) {
      const channelId = m[1]!;
      const refusing = [...this.refusingDms].some((u) => this.dmChannels.get(u) === channelId);
      if (refusing && method === 'POST') return send(403, { message: 'Cannot send messages to this user', code: 50007 });
      if (method === 'POST' && !m[2]) {
        const bad = invalidMessage(body);
        if (bad) return send(400, { message: `Invalid Form Body: ${bad}`, code: 50035 });
        if (body?.enforce_nonce && body.nonce) {
          const prior = [...this.messages.values()].find((x) => x.channelId === channelId && x.nonce === String(body.nonce) && Date.now() - x.createdAt < 5 * 60_000);
          if (prior) return send(200, this.messageJson(prior));
        }
        return send(200, this.messageJson(this.createMessage(channelId, body, files)));
      }
      const msg = m[2] ? this.messages.get(m[2]) : undefined;
      if (!msg || msg.deleted || msg.channelId !== channelId) return send(404, { message: 'Unknown Message', code: 10008 });
      if (method === 'GET') return send(200, this.messageJson(msg));
      if (method === 'PATCH') {
        const bad = invalidMessage(body);
        if (bad) return send(400, { message: `Invalid Form Body: ${bad}`, code: 50035 });
        this.editMessage(msg, body, files);
        return send(200, this.messageJson(msg));
      }
      if (method === 'DELETE') {
        msg.deleted = true;
        return send(204);
      }
    }
    return send(404, { message: '404: Not Found', code: 0 });
  }

  private onCallback(id: string, token: string, body: any, withResponse: boolean, files: { filename: string; size: number }[], send: (status: number, json?: unknown) => void): void {
    const ix = this.interactions.get(id);
    if (!ix || ix.token !== token) return send(404, { message: 'Unknown interaction', code: 10062 });
    if (ix.callback) return send(400, { message: 'Interaction has already been acknowledged.', code: 40060 });
    const type = Number(body?.type);
    const data = body?.data ?? {};
    switch (type) {
      case 4: {
        const bad = invalidMessage(data);
        if (bad) return send(400, { message: `Invalid Form Body: ${bad}`, code: 50035 });
        ix.originalMessageId = this.createMessage(ix.channelId, data, files, ix.id).id;
        break;
      }
      case 5:
        ix.originalMessageId = this.createMessage(ix.channelId, { content: '', flags: (data.flags ?? 0) | LOADING }, [], ix.id).id;
        break;
      case 6:
      case 7: {
        if (!ix.componentMessageId) return send(400, { message: 'Interaction is not a component interaction', code: 50035 });
        ix.originalMessageId = ix.componentMessageId;
        if (type === 7) {
          const bad = invalidMessage(data);
          if (bad) return send(400, { message: `Invalid Form Body: ${bad}`, code: 50035 });
          this.editMessage(this.messages.get(ix.componentMessageId)!, data, files);
        }
        break;
      }
      case 8: {
        const choices = data.choices;
        if (!Array.isArray(choices) || choices.length > 25 || choices.some((c: any) => typeof c.name !== 'string' || c.name.length < 1 || c.name.length > 100 || String(c.value).length > 100)) {
          return send(400, { message: 'Invalid Form Body: choices', code: 50035 });
        }
        ix.choices = choices;
        break;
      }
      default:
        return send(400, { message: `Unsupported callback type ${type}`, code: 50035 });
    }
    ix.callback = { type, data };
    if (!withResponse) return send(204);
    const msg = ix.originalMessageId ? this.messages.get(ix.originalMessageId) : undefined;
    send(200, { interaction: { id: ix.id, type: ix.type }, resource: { type, ...(msg ? { message: this.messageJson(msg) } : {}) } });
  }

  private createMessage(channelId: string, body: any, files: { filename: string; size: number }[], interactionId?: string): FakeMessage {
    const msg: FakeMessage = {
      id: this.snowflake(),
      channelId,
      content: String(body?.content ?? ''),
      components: body?.components ?? [],
      flags: Number(body?.flags ?? 0),
      nonce: body?.nonce !== undefined ? String(body.nonce) : undefined,
      interactionId,
      attachments: files.map((f) => ({ id: this.snowflake(), ...f })),
      history: [String(body?.content ?? '')],
      deleted: false,
      createdAt: Date.now(),
      editedAt: null,
    };
    this.messages.set(msg.id, msg);
    return msg;
  }

  private editMessage(msg: FakeMessage, body: any, files: { filename: string; size: number }[]): void {
    if (body?.content !== undefined) msg.content = String(body.content ?? '');
    if (body?.components !== undefined) msg.components = body.components ?? [];
    if (files.length > 0) msg.attachments = files.map((f) => ({ id: this.snowflake(), ...f }));
    // An edit ends a deferral's "thinking…" state; ephemerality never changes.
    msg.flags = (msg.flags & ~LOADING) | (msg.flags & EPHEMERAL);
    msg.history.push(msg.content);
    msg.editedAt = Date.now();
  }

  private messageJson(msg: FakeMessage) {
    return {
      id: msg.id,
      channel_id: msg.channelId,
      author: this.botUser,
      content: msg.content,
      timestamp: new Date(msg.createdAt).toISOString(),
      edited_timestamp: msg.editedAt ? new Date(msg.editedAt).toISOString() : null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: msg.attachments.map((a) => ({ id: a.id, filename: a.filename, size: a.size, url: `https://cdn.invalid/${a.id}/${a.filename}`, proxy_url: `https://cdn.invalid/${a.id}/${a.filename}` })),
      embeds: [],
      pinned: false,
      type: msg.interactionId ? 20 : 0,
      flags: msg.flags,
      components: msg.components,
      ...(msg.nonce ? { nonce: msg.nonce } : {}),
      application_id: msg.interactionId ? this.opts.appId : undefined,
    };
  }
}

/** Discord's basic message checks: at most 2,000 characters, 5 rows of at most 5 buttons with custom ids ≤ 100. */
function invalidMessage(body: any): string | null {
  if (!body || typeof body !== 'object') return null;
  if (typeof body.content === 'string' && body.content.length > 2000) return 'content: Must be 2000 or fewer in length.';
  const rows = body.components;
  if (rows !== undefined && rows !== null) {
    if (!Array.isArray(rows) || rows.length > 5) return 'components: at most 5 action rows';
    for (const row of rows) {
      if (row.type !== 1 || !Array.isArray(row.components) || row.components.length === 0 || row.components.length > 5) return 'components: invalid action row';
      for (const c of row.components) {
        if (c.type === 2 && c.style !== 5 && (typeof c.custom_id !== 'string' || c.custom_id.length < 1 || c.custom_id.length > 100)) return 'components: custom_id must be 1-100 characters';
        if (c.type === 2 && (typeof c.label !== 'string' || c.label.length > 80)) return 'components: label must be at most 80 characters';
      }
    }
  }
  return null;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Starts a fake Discord on an ephemeral port. */
export async function startFakeDiscord(opts: FakeDiscordOptions): Promise<FakeDiscord> {
  return new FakeDiscord(opts).listen();
}
