import { type ChildProcess, fork } from 'node:child_process';

/** A request of the parent to a child process. */
interface Request {
  readonly id: number;
  readonly method: string;
  readonly params: unknown;
}

/** A child's answer: a result, or the message of what it threw. */
type Reply = { readonly id: number; readonly result: unknown } | { readonly id: number; readonly error: string };

export interface ChildOptions {
  /** Extra Node flags, after the parent's own (tsx's loader and the source condition are inherited). */
  readonly nodeFlags?: readonly string[];
  readonly label: string;
}

/**
 * A forked Node process answering `call(method, params)` over IPC. The benchmarks run the sandbox and every
 * measured client in processes of their own, so one contender's heap, sockets and CPU never count for another.
 */
export class Child {
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited: Error | undefined;

  private constructor(
    private readonly process: ChildProcess,
    readonly label: string,
  ) {
    process.on('message', (message: Reply) => {
      const waiter = this.waiting.get(message.id);
      if (waiter === undefined) return;
      this.waiting.delete(message.id);
      if ('error' in message) waiter.reject(new Error(`${label}: ${message.error}`));
      else waiter.resolve(message.result);
    });
    process.on('exit', (code, signal) => {
      this.exited = new Error(`${label} exited (${signal ?? code})`);
      for (const waiter of this.waiting.values()) waiter.reject(this.exited);
      this.waiting.clear();
    });
  }

  /** Forks `entry` and waits for its `ready` message. */
  static async start(entry: string, options: ChildOptions): Promise<Child> {
    const child = fork(entry, [], {
      execArgv: [...process.execArgv, ...(options.nodeFlags ?? [])],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: unknown) => {
        if (typeof message === 'object' && message !== null && 'ready' in message) {
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolve();
        }
      };
      const onExit = (code: number | null) => reject(new Error(`${options.label} exited before ready (${code})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
    return new Child(child, options.label);
  }

  call<T>(method: string, params: unknown = undefined): Promise<T> {
    if (this.exited !== undefined) return Promise.reject(this.exited);
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.process.send({ id, method, params } satisfies Request);
    });
  }

  /** Asks the child to exit and waits for it; kills it if it has not after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exited !== undefined) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    this.process.send({ id: 0, method: 'exit', params: undefined } satisfies Request);
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}

/** The child side: serves `methods` over IPC, then says it is ready. `exit` ends the process. */
export function serveParent(methods: Readonly<Record<string, (params: never) => unknown>>): void {
  process.on('message', async (message: Request) => {
    if (message.method === 'exit') {
      process.disconnect?.();
      // Let a --cpu-prof profile be written by a normal exit.
      setImmediate(() => process.exit(0));
      return;
    }
    const method = methods[message.method];
    try {
      if (method === undefined) throw new Error(`no method ${message.method}`);
      const result = await method(message.params as never);
      process.send?.({ id: message.id, result } satisfies Reply);
    } catch (error) {
      process.send?.({
        id: message.id,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
    }
  });
  process.send?.({ ready: true });
}
