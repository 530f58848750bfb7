/** A key as GET /api/v1/keys answers it: public facts only. */
export interface Key {
  kid: string;
  /** `signing:<alg>` or `cookie`. */
  purpose: string;
  alg: string | null;
  status: 'active' | 'next' | 'retired';
  created_at: string;
  status_changed_at: string;
  activates_at: string | null;
  retires_at: string | null;
  removed_at: string | null;
}

/** What POST /api/v1/keys/rotate answers. */
export interface Rotation {
  applied: { kid: string; purpose: string; change: 'activated' | 'retired' | 'removed' }[];
  stored: Key[];
  removed: Key[];
}
