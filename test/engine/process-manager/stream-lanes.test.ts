import { StreamLanes } from '../../../src/engine/process-manager/stream-lanes';

/** Work that logs its start and end and finishes only when the test releases it. */
const controlledWork = () => {
  const log: string[] = [];
  const releases = new Map<string, () => void>();
  const work = (name: string, fails = false) => () =>
    new Promise<void>((resolve, reject) => {
      log.push(`start ${name}`);
      releases.set(name, () => {
        log.push(`end ${name}`);
        if (fails) reject(new Error(`${name} failed`));
        else resolve();
      });
    });
  const release = async (name: string): Promise<void> => {
    releases.get(name)?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { log, work, release };
};

describe('StreamLanes', () => {
  it('starts work sharing a stream with earlier work only after it, and other work at once', async () => {
    const { log, work, release } = controlledWork();
    const lanes = new StreamLanes();
    void lanes.run(['a', 'b'], work('first'));
    void lanes.run(['c'], work('elsewhere'));
    void lanes.run(['b'], work('second'));
    void lanes.run(['d', 'a'], work('third'));
    await release('none');
    expect(log).toEqual(['start first', 'start elsewhere']);
    await release('first');
    expect(log).toEqual(['start first', 'start elsewhere', 'end first', 'start second', 'start third']);
  });

  it('waits for every earlier piece it shares a stream with', async () => {
    const { log, work, release } = controlledWork();
    const lanes = new StreamLanes();
    void lanes.run(['a'], work('on a'));
    void lanes.run(['b'], work('on b'));
    void lanes.run(['a', 'b'], work('on both'));
    await release('on b');
    expect(log).not.toContain('start on both');
    await release('on a');
    expect(log).toContain('start on both');
  });

  it('keeps a lane going after a failure, and the failure reaches whoever ran the failing work', async () => {
    const { log, work, release } = controlledWork();
    const lanes = new StreamLanes();
    const failing = lanes.run(['a'], work('failing', true));
    const caught = failing.catch((error: Error) => error.message);
    void lanes.run(['a'], work('after'));
    await release('failing');
    expect(await caught).toBe('failing failed');
    expect(log).toContain('start after');
  });

  it('forgets a stream once its last work is done', async () => {
    const { work, release } = controlledWork();
    const lanes = new StreamLanes();
    void lanes.run(['a', 'b'], work('first'));
    void lanes.run(['b'], work('second'));
    expect(lanes.busyStreams).toBe(2);
    await release('first');
    expect(lanes.busyStreams).toBe(1);
    await release('second');
    expect(lanes.busyStreams).toBe(0);
  });
});
