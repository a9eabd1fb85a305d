// What the customer-data pages read and send: the audit trail and erasure jobs, as the
// API answers them (functions/data_api.py).

export interface Actor {
  id: string;
  name: string;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: Actor;
  client_ip: string;
  action: string;
  target: string;
  fields: string[];
}

export interface AuditPage {
  entries: AuditEntry[];
  next: string | null;
}

export interface ErasureJob {
  id: string;
  state: "running" | "done";
  erased: Record<string, number>;
  kept: Record<string, number>;
  started_by: Actor;
  created_at: string;
  updated_at: string;
}

export interface RetentionRow {
  id: string;
  name: string;
  number: string;
  retention_days: number | null;
}
