import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { safeId, type ChannelResult, type NotificationChannel, type OutgoingMessage } from './channel';

/** The embedded default: one JSON file per message, named by its id, so a repeated send overwrites instead of duplicating. */
export class OutboxChannel implements NotificationChannel {
  readonly name = 'outbox' as const;
  readonly idempotent = true;
  constructor(readonly dir: string) {}

  async send(message: OutgoingMessage): Promise<ChannelResult> {
    await mkdir(this.dir, { recursive: true });
    const file = path.join(this.dir, `${safeId(message.id)}.json`);
    const tmp = `${file}.tmp`;
    const body = { ...message, to: { name: message.to.name, email: message.to.email }, writtenAt: new Date().toISOString() };
    await writeFile(tmp, `${JSON.stringify(body, null, 2)}\n`, 'utf8');
    await rename(tmp, file);
    return { result: 'sent', detail: path.basename(file) };
  }
}
