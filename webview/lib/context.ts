/**
 * Shared state, provided by <ci-attention-panel> and consumed by its children with @lit/context
 * (no prop drilling). Children never mutate it: they dispatch `ci-focus` events (see events.ts).
 */
import { createContext } from '@lit/context';
import type { RunStateKind } from '../../src/features/attention/shared/protocol';
import type { InspectionParams } from '../../src/shared/inspection';
import type { FocusState } from './focus';
import type { PatternView } from './patternStore';

export interface InspectionView {
  readonly params: InspectionParams;
  /** performance.now() when the `inspection` message arrived: the start of the first-paint timing. */
  readonly receivedAt: number;
}

export interface PanelStatus {
  readonly runState: RunStateKind | null;
  readonly message?: string;
  readonly progress?: number;
  readonly stale: boolean;
  readonly staleReason?: string;
}

export const inspectionContext = createContext<InspectionView | undefined>(Symbol('ci-inspection'));
export const focusContext = createContext<FocusState>(Symbol('ci-focus'));
export const patternsContext = createContext<PatternView>(Symbol('ci-patterns'));
export const statusContext = createContext<PanelStatus>(Symbol('ci-status'));
