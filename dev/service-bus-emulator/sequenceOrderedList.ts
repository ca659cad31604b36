/**
 * The available messages of a queue, in sequence-number order. New messages arrive at the end and are
 * taken from the front, both O(1); an abandoned message goes back to its place by binary search.
 */
export class SequenceOrderedList<T extends { readonly sequenceNumber: number }> {
    private items: (T | undefined)[] = [];
    private head = 0;

    get size(): number {
        return this.items.length - this.head;
    }

    /** Takes the message with the lowest sequence number. */
    shift(): T | undefined {
        if (this.head >= this.items.length) {
            return undefined;
        }
        const item = this.items[this.head];
        this.items[this.head] = undefined;
        this.head++;
        if (this.head === this.items.length) {
            this.items = [];
            this.head = 0;
        } else if (this.head > 1024 && this.head * 2 > this.items.length) {
            this.items = this.items.slice(this.head);
            this.head = 0;
        }
        return item;
    }

    /** Puts a message at its place by sequence number. */
    insert(item: T): void {
        const last = this.items[this.items.length - 1];
        if (this.size === 0 || last === undefined || last.sequenceNumber < item.sequenceNumber) {
            this.items.push(item);
            return;
        }
        let low = this.head;
        let high = this.items.length;
        while (low < high) {
            const middle = (low + high) >>> 1;
            const candidate = this.items[middle];
            if (candidate !== undefined && candidate.sequenceNumber < item.sequenceNumber) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        this.items.splice(low, 0, item);
    }

    *[Symbol.iterator](): Iterator<T> {
        for (let i = this.head; i < this.items.length; i++) {
            const item = this.items[i];
            if (item !== undefined) {
                yield item;
            }
        }
    }
}
