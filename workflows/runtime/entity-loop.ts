/**
 * The loop a ticket's and an incident's workflow share: background work that must finish
 * before the run ends, the chain that persists changes one after another, applying an action
 * (at once on old histories, one at a time with refused changes taken back on new ones), the
 * wake-up for the next instant or action, auto-close, continue-as-new past a history limit,
 * and the drain before the run ends.
 *
 * It issues exactly the commands, in exactly the order, the two workflows issued when each
 * wrote this loop itself: every await is on the same promise at the same point, so recorded
 * histories replay (test/workflow/replay.test.ts). A change to what it schedules goes behind
 * patched(), as anywhere in workflows/.
 */
import { allHandlersFinished, condition, log, patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Actor } from '../contract/ticket';
import { alreadyIndexed, searchAttributeUpdates, type EntityIndex } from '../contract/search-attributes';
import type { ChangeRefusedEvent } from '../contract/events';
import { ActionRejected } from '../ticket/ticket-state';
import { ChangeRefused, REFUSE_POISONED_CHANGES, oneAtATime, refusalOf, refusedChangeEvent, type Refusal } from './change-refusal';
import type { WorkflowClock } from './workflow-clock';

/** Keeping the search attributes current upserts them: histories recorded before it replay without. */
export const SEARCH_ATTRIBUTES = 'search-attributes';

/** Continue as new well before the history gets heavy, even if the server has not suggested it. */
const MAX_HISTORY_EVENTS = 4000;

export interface EntityAction {
  actionId: string;
  kind: string;
  actor: Actor;
}

/** A change an action made: its write, what runs once it is stored inside the chain, and after it (outside). */
export interface EntityChange<W> {
  write(): Promise<W>;
  /** Runs in the persist chain once the write landed, before the next change's write. */
  stored?: (written: W) => void;
  /** Runs after the write landed, once the action's caller resumes (never for a refused change). */
  after?: () => void;
}

/** What the loop needs of the entity's state. */
export interface EntityState<S> {
  readonly finished: boolean;
  hasSeen(actionId: string): boolean;
  snapshot(): S;
  restore(snapshot: S): void;
}

export interface EntityRuntimeSpec<A extends EntityAction, R, S, W, F> {
  id: string;
  time: WorkflowClock;
  state: EntityState<S>;
  /** Applies a validated action (throws ActionRejected when it became moot) and says what to persist. */
  apply(action: A, now: number): EntityChange<W>;
  /** What an update answers with. */
  answer(): R;
  /** Writes a refusal's event on the timeline; `refusalStored` runs with what the write answered. */
  recordRefusal(event: ChangeRefusedEvent): Promise<F>;
  refusalStored?: (written: F) => void;
  historyLimit: number | undefined;
  /** What Temporal's visibility finds the workflow by, as the state stands now; absent: the namespace has no such attributes. */
  index?: () => EntityIndex;
}

export interface EntityLoopSpec<A> {
  /** The due ladder steps, each fired (awaited) in turn. */
  dueSteps(now: number): Array<() => Promise<void>>;
  /** Runs after the due steps; true: something fired, go round again. */
  afterSteps?: (now: number) => boolean;
  /** When a resolved (or solved) entity closes itself, or null. */
  autoCloseAt(): number | null;
  autoCloseAction(at: number): A;
  /** The instants the loop must wake at besides auto-close (the next step, a reminder), null for none. */
  wakeTimes(now: number): Array<number | null>;
}

export function entityRuntime<A extends EntityAction, R, S, W, F>(spec: EntityRuntimeSpec<A, R, S, W, F>) {
  const { time, state } = spec;
  const background = new Set<Promise<unknown>>();
  let persistChain: Promise<unknown> = Promise.resolve();
  let dirty = false;
  let refusedAutoCloseAt: number | null = null;

  const track = (p: Promise<unknown>) => {
    const tracked = p.catch((err) => log.warn('background work gave up', { error: String(err) })).finally(() => background.delete(tracked));
    background.add(tracked);
  };

  /** Changes persist one after another so the row never moves backwards. */
  const persist = (change: EntityChange<W>): Promise<unknown> => {
    const written = persistChain.then(() => change.write());
    const stored = change.stored;
    const done = stored ? written.then((w) => stored(w)) : written;
    persistChain = done.catch(() => undefined);
    return done;
  };

  /** The recorded path (before changes could be refused): applied at once, written in order. */
  const applyAtOnce = async (action: A): Promise<R> => {
    if (state.hasSeen(action.actionId)) return spec.answer();
    const change = spec.apply(action, time.now());
    dirty = true;
    await persist(change);
    change.after?.();
    return spec.answer();
  };

  const recordRefusal = async (action: A, refusal: Refusal) => {
    const event = refusedChangeEvent(spec.id, action, refusal, time.now());
    try {
      const written = await spec.recordRefusal(event);
      spec.refusalStored?.(written);
    } catch (err) {
      log.warn('could not record a refused change', { actionId: event.data.actionId, error: String(err) });
    }
  };

  /**
   * One change at a time, each applied only once the one before it is stored: a change the
   * store refuses for good is taken back (the live state stays what the row holds), put on the
   * timeline, fails its caller and carries out none of its effects, and the next change goes ahead.
   */
  const applyInTurn = async (action: A): Promise<R> => {
    if (state.hasSeen(action.actionId)) return spec.answer();
    const before = state.snapshot();
    // Validated when it arrived; a change queued ahead of it may since have made it moot (throws ActionRejected).
    const change = spec.apply(action, time.now());
    dirty = true;
    try {
      await persist(change);
    } catch (err) {
      const refusal = refusalOf(err);
      if (!refusal) throw err;
      state.restore(before);
      dirty = true;
      log.warn('a change was refused by the store and not applied', { actionId: action.actionId, kind: action.kind, failure: refusal.type });
      await recordRefusal(action, refusal);
      throw new ChangeRefused(refusal.type, refusal.reason);
    }
    change.after?.();
    return spec.answer();
  };
  const inTurn = oneAtATime(applyInTurn);
  const applyAction = (action: A): Promise<R> => (patched(REFUSE_POISONED_CHANGES) ? inTurn(action) : applyAtOnce(action));

  /** Sleeps until the next instant, wakes early for every action, fires what is due; returns once the entity is finished or must continue as new (after the drain). */
  const run = async (loop: EntityLoopSpec<A>): Promise<void> => {
    const indexOf = spec.index && patched(SEARCH_ATTRIBUTES) ? spec.index : null;
    /** Upserts the search attributes when they differ from what the workflow carries (one history event each time). */
    const reindex = () => {
      if (!indexOf) return;
      const index = indexOf();
      if (!alreadyIndexed(index, workflowInfo().typedSearchAttributes)) upsertSearchAttributes(searchAttributeUpdates(index));
    };
    while (!state.finished) {
      const now = time.now();
      for (const fire of loop.dueSteps(now)) await fire();
      if (loop.afterSteps?.(now)) continue;

      const closeAt = loop.autoCloseAt();
      // An auto-close the store refused is not tried again for that solve or resolution (it would refuse again, at once).
      const autoCloseAt: number | null = closeAt === refusedAutoCloseAt ? null : closeAt;
      if (autoCloseAt !== null && autoCloseAt <= now) {
        try {
          await applyAction(loop.autoCloseAction(autoCloseAt));
        } catch (err) {
          if (!(err instanceof ActionRejected)) throw err;
          if (err instanceof ChangeRefused) refusedAutoCloseAt = autoCloseAt;
        }
        continue;
      }

      const info = workflowInfo();
      if (info.continueAsNewSuggested || info.historyLength > (spec.historyLimit ?? MAX_HISTORY_EVENTS)) break;

      const wakeAt = [...loop.wakeTimes(now), autoCloseAt].filter((t): t is number => t !== null).sort((a, b) => a - b)[0];
      // Before every sleep: every change applied so far, every step fired, is in the attributes.
      reindex();
      dirty = false;
      if (wakeAt === undefined) await condition(() => dirty);
      else if (!(await condition(() => dirty, Math.max(wakeAt - time.now(), 1)))) time.reached(wakeAt);
    }

    // Let in-flight updates finish and their writes land before this run ends.
    await condition(allHandlersFinished);
    await persistChain;
    await Promise.all([...background]);
    // The final status (closed, cancelled), no deadline; or the state a continue-as-new carries on with.
    reindex();
  };

  return {
    track,
    applyAction,
    run,
    /** The first record: changes signalled with the start queue behind it. */
    persistAfter(first: Promise<unknown>): void {
      persistChain = first.catch(() => undefined);
    },
  };
}
