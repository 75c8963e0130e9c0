import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Autosaver, type SaveState } from '../src/autosave'

function memoryStorage() {
  const data = new Map<string, string>()
  return {
    data,
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  }
}

describe('Autosaver', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('saves the last value once, after the quiet period, and clears the crash buffer', async () => {
    const storage = memoryStorage()
    const save = vi.fn().mockResolvedValue(undefined)
    const states: SaveState[] = []
    const a = new Autosaver<string>({ delayMs: 700, save, storageKey: 'k', storage, onState: (s) => states.push(s) })
    a.change('建')
    a.change('建议')
    expect(storage.data.get('k')).toBe('"建议"')
    await vi.advanceTimersByTimeAsync(699)
    expect(save).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(save).toHaveBeenCalledTimes(1)
    expect(save).toHaveBeenCalledWith('建议')
    expect(a.state).toBe('saved')
    expect(storage.data.has('k')).toBe(false)
    expect(states).toEqual(['dirty', 'dirty', 'saving', 'saved'])
  })

  it('keeps typing while a save runs and saves the newer text right after', async () => {
    let release: () => void = () => {}
    const save = vi
      .fn()
      .mockImplementationOnce(() => new Promise<void>((r) => (release = r)))
      .mockResolvedValue(undefined)
    const storage = memoryStorage()
    const a = new Autosaver<string>({ delayMs: 100, save, storageKey: 'k', storage })
    a.change('一')
    await vi.advanceTimersByTimeAsync(100)
    expect(a.state).toBe('saving')
    a.change('一二')
    const flushed = a.flush()
    release()
    await flushed
    expect(save.mock.calls.map((c) => c[0])).toEqual(['一', '一二'])
    expect(a.state).toBe('saved')
    expect(storage.data.has('k')).toBe(false)
  })

  it('keeps the buffer after a failed save and retries', async () => {
    const storage = memoryStorage()
    const save = vi.fn().mockRejectedValueOnce(new Error('busy')).mockResolvedValue(undefined)
    const a = new Autosaver<string>({ delayMs: 100, retryMs: 500, save, storageKey: 'k', storage })
    a.change('答复')
    await vi.advanceTimersByTimeAsync(100)
    expect(a.state).toBe('error')
    expect(storage.data.get('k')).toBe('"答复"')
    await vi.advanceTimersByTimeAsync(500)
    expect(save).toHaveBeenCalledTimes(2)
    expect(a.state).toBe('saved')
    expect(storage.data.has('k')).toBe(false)
  })

  it('recovers what an earlier session left in the buffer', () => {
    const storage = memoryStorage()
    storage.setItem('k', JSON.stringify({ body: '未保存的正文' }))
    const a = new Autosaver<{ body: string }>({ delayMs: 100, save: vi.fn(), storageKey: 'k', storage })
    expect(a.recover()).toEqual({ body: '未保存的正文' })
    a.discard()
    expect(a.recover()).toBeNull()
  })
})
