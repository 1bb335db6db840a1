import { undoIfInterrupted, undoInterruptedWork } from '../../bench/interruption';

describe('undoing an interrupted job', () => {
  it('runs each registered undo once, even when one fails, and not those the job undid itself', async () => {
    const undone: string[] = [];
    undoIfInterrupted(async () => {
      undone.push('store schema');
    });
    undoIfInterrupted(() => Promise.reject(new Error('server gone')));
    const forget = undoIfInterrupted(async () => {
      undone.push('dropped already');
    });
    forget();
    await undoInterruptedWork();
    await undoInterruptedWork();
    expect(undone).toEqual(['store schema']);
  });
});
