/** Hands the one upload store to the screens that read it. */
import { createContext, useContext, type ReactNode } from 'react'
import type { UploadStore } from './upload-store'

const StoreContext = createContext<UploadStore | null>(null)

export function UploadStoreProvider({ store, children }: { store: UploadStore; children: ReactNode }) {
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>
}

export function useUploadStore(): UploadStore {
  const store = useContext(StoreContext)
  if (!store) throw new Error('Expected <UploadStoreProvider> around the upload screens, got none.')
  return store
}
