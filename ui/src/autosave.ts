// Autosave for the reply editor. Typing never waits for the store: every
// change goes to a crash buffer (localStorage) at once and is saved in the
// background after a short quiet period; the buffer is cleared only once the
// store confirmed the text. One save runs at a time; changes made while a
// save is running are saved right after it.

export type SaveState = 'saved' | 'dirty' | 'saving' | 'error'

export interface AutosaveOptions<T> {
  /** Quiet time after the last change before saving (ms). */
  delayMs: number
  /** Retry after a failed save (ms). */
  retryMs?: number
  save: (value: T) => Promise<unknown>
  /** Crash-buffer key, e.g. `jianban.draft.a039-fgw`. */
  storageKey: string
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>
  onState?: (state: SaveState, error?: unknown) => void
}

export class Autosaver<T> {
  private timer: ReturnType<typeof setTimeout> | null = null
  private pending: T | null = null
  private running: Promise<void> | null = null
  private current: SaveState = 'saved'
  private readonly opts: AutosaveOptions<T>

  constructor(opts: AutosaveOptions<T>) {
    this.opts = opts
  }

  get state(): SaveState {
    return this.current
  }

  private set(state: SaveState, error?: unknown): void {
    this.current = state
    this.opts.onState?.(state, error)
  }

  private get storage(): AutosaveOptions<T>['storage'] | undefined {
    if (this.opts.storage) return this.opts.storage
    return typeof localStorage === 'undefined' ? undefined : localStorage
  }

  /** The text typed but not confirmed by the store in an earlier session. */
  recover(): T | null {
    const raw = this.storage?.getItem(this.opts.storageKey)
    if (raw === null || raw === undefined) return null
    try {
      return JSON.parse(raw) as T
    } catch {
      return null
    }
  }

  /** Forget the crash buffer (after the user chose not to recover it). */
  discard(): void {
    this.storage?.removeItem(this.opts.storageKey)
  }

  /** Call on every change; returns at once. */
  change(value: T): void {
    this.pending = value
    try {
      this.storage?.setItem(this.opts.storageKey, JSON.stringify(value))
    } catch {
      // A full localStorage must not stop typing; the store save still runs.
    }
    this.set('dirty')
    this.schedule(this.opts.delayMs)
  }

  private schedule(ms: number): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = null
      void this.flush()
    }, ms)
  }

  /** Saves now (Ctrl+S) and resolves when everything typed is saved or failed. */
  async flush(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer)
      this.timer = null
    }
    if (this.running) {
      await this.running
      if (this.pending === null) return
    }
    const value = this.pending
    if (value === null) return
    this.pending = null
    this.set('saving')
    this.running = (async () => {
      try {
        await this.opts.save(value)
        if (this.pending === null) {
          this.storage?.removeItem(this.opts.storageKey)
          this.set('saved')
        }
      } catch (error) {
        // Keep what failed unless something newer replaced it; try again.
        if (this.pending === null) this.pending = value
        this.set('error', error)
        this.schedule(this.opts.retryMs ?? 3000)
      } finally {
        this.running = null
      }
    })()
    await this.running
    if (this.pending !== null && this.current !== 'error') await this.flush()
  }

  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }
}
