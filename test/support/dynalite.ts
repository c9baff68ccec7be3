// A real DynamoDB implementation on 127.0.0.1 (the `dynalite` npm package, in memory): it evaluates condition
// expressions, enforces DynamoDB's validation and answers in DynamoDB's JSON wire format, so the approval store's
// conditional writes are tested for real rather than against a mock.
import type { AddressInfo } from 'net';
import type { Server } from 'http';

// dynalite ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (opts: Record<string, unknown>) => Server;

export interface LocalDynamo {
  url: string;
  close(): Promise<void>;
}

export async function startDynalite(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}
