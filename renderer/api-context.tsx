/**
 * The renderer depends on the BulkUploadApi interface, never on window.api (STYLE.md): the
 * host passes an implementation in, so the same screens run on Electron, on the web host and
 * against the in-memory fake of the component tests.
 */
import { createContext, useContext, type ReactNode } from 'react'
import type { BulkUploadApi } from '../src/api'

export interface HostExtras {
  /**
   * The real path of a dropped file or folder. Electron's preload gets it from
   * webUtils.getPathForFile; a browser has none, so the web host leaves this out and the
   * wizard offers its folder browser instead.
   */
  pathForFile?: (file: File) => string | null
}

interface ApiContextValue extends HostExtras {
  api: BulkUploadApi
}

const ApiContext = createContext<ApiContextValue | null>(null)

export function ApiProvider({ api, pathForFile, children }: { api: BulkUploadApi; children: ReactNode } & HostExtras) {
  return <ApiContext.Provider value={{ api, pathForFile }}>{children}</ApiContext.Provider>
}

function useApiContext(): ApiContextValue {
  const value = useContext(ApiContext)
  if (!value) throw new Error('Expected <ApiProvider> around the wizard, got none.')
  return value
}

export const useApi = (): BulkUploadApi => useApiContext().api
export const usePathForFile = (): HostExtras['pathForFile'] => useApiContext().pathForFile
