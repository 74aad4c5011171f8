/** Who is signed in, shared by every view: the user, their permissions, and signing out. */
import { createContext, useContext } from 'react';
import type { Me } from './types';

export interface Session {
  readonly me: Me;
  readonly can: (permission: string) => boolean;
  readonly signOut: () => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in view');
  return s;
}
