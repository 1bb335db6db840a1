/** A deadline that has been scheduled and has neither fired nor been cancelled. */
export interface PendingDeadline {
  readonly deadlineId: string;
  readonly dueAt: number;
  readonly command: unknown;
  /** The revision of the deadline's stream when it was last seen, for the append that closes it. */
  readonly revision: number;
}

/**
 * Pending deadlines ordered by due time: a binary min-heap with lazy removal, so taking what is due costs
 * O(log n) per deadline rather than a scan of everything pending.
 */
export class DeadlineQueue {
  private readonly pending = new Map<string, PendingDeadline>();
  private readonly heap: PendingDeadline[] = [];

  add(deadline: PendingDeadline): void {
    this.pending.set(deadline.deadlineId, deadline);
    this.heap.push(deadline);
    this.siftUp(this.heap.length - 1);
  }

  remove(deadlineId: string): void {
    this.pending.delete(deadlineId);
  }

  /** Removes and returns every pending deadline due at or before `now`, earliest first. */
  takeDue(now: number): PendingDeadline[] {
    const due: PendingDeadline[] = [];
    for (;;) {
      const top = this.heap[0];
      if (top === undefined || top.dueAt > now) break;
      this.pop();
      if (this.pending.get(top.deadlineId) === top) {
        this.pending.delete(top.deadlineId);
        due.push(top);
      }
    }
    return due;
  }

  get size(): number {
    return this.pending.size;
  }

  private pop(): void {
    const last = this.heap.pop();
    if (last === undefined || this.heap.length === 0) return;
    this.heap[0] = last;
    this.siftDown(0);
  }

  private siftUp(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((this.heap[parent] as PendingDeadline).dueAt <= (this.heap[i] as PendingDeadline).dueAt) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(index: number): void {
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < this.heap.length && (this.heap[left] as PendingDeadline).dueAt < (this.heap[smallest] as PendingDeadline).dueAt) smallest = left;
      if (right < this.heap.length && (this.heap[right] as PendingDeadline).dueAt < (this.heap[smallest] as PendingDeadline).dueAt) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private swap(a: number, b: number): void {
    const x = this.heap[a] as PendingDeadline;
    this.heap[a] = this.heap[b] as PendingDeadline;
    this.heap[b] = x;
  }
}
