/** Evidence: upload files or a .zip (with a progress bar), and the ingest jobs with their counts and issues. */
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { get, post, upload } from '../api';
import { bytes, errorText, utc } from '../format';
import { useSession } from '../session';
import type { Job } from '../types';
import { IssueCount, IssueRow, Problem, Section, Status, useAction, useLoad } from '../ui';

export function EvidencePage(): ReactNode {
  const session = useSession();
  const jobs = useLoad(() => get<Job[]>('/api/jobs?limit=100'), 'jobs');
  const running = (jobs.data ?? []).some((j) => j.status === 'queued' || j.status === 'running');
  // While a job runs, look again every two seconds.
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(jobs.reload, 2000);
    return () => clearInterval(timer);
  }, [running, jobs.reload]);
  return (
    <>
      <h1>Evidence</h1>
      {session.can('evidence:upload') && <Upload onUploaded={jobs.reload} />}
      <Section title="Ingest jobs">
        <Problem error={jobs.error} />
        <JobTable jobs={jobs.data ?? []} onChanged={jobs.reload} />
      </Section>
    </>
  );
}

function Upload({ onUploaded }: { onUploaded: () => void }): ReactNode {
  const input = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<{ loaded: number; total: number } | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [done, setDone] = useState<Job | undefined>();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const files = [...(input.current?.files ?? [])];
    if (files.length === 0) {
      setError('Choose one or more files, or a .zip.');
      return;
    }
    setError(undefined);
    setDone(undefined);
    setProgress({ loaded: 0, total: files.reduce((n, f) => n + f.size, 0) });
    upload<Job>('/api/evidence', files, (loaded, total) => setProgress({ loaded, total })).then(
      (job) => {
        setProgress(undefined);
        setDone(job);
        if (input.current) input.current.value = '';
        onUploaded();
      },
      (err: unknown) => {
        setProgress(undefined);
        setError(errorText(err));
      },
    );
  };
  return (
    <Section title="Upload evidence">
      <form onSubmit={submit} className="row">
        <label>
          Files or a .zip (event logs, IIS/Exchange, Zeek, Suricata, JSON lines)
          <input ref={input} type="file" name="evidence" multiple />
        </label>
        <button type="submit" disabled={progress !== undefined}>
          Upload and ingest
        </button>
      </form>
      {progress && (
        <p>
          <progress aria-label="Upload progress" max={progress.total || 1} value={progress.loaded} />{' '}
          {bytes(progress.loaded)} of {bytes(progress.total)}
        </p>
      )}
      {done && (
        <p className="ok" role="status">
          Uploaded: job {done.id} is {done.status}.
        </p>
      )}
      <Problem error={error} />
    </Section>
  );
}

function JobTable({ jobs, onChanged }: { jobs: readonly Job[]; onChanged: () => void }): ReactNode {
  const session = useSession();
  const action = useAction();
  const [open, setOpen] = useState<string | undefined>();
  if (jobs.length === 0) return <p className="muted">No jobs yet.</p>;
  return (
    <>
      <Problem error={action.error} />
      <table aria-label="Ingest jobs">
        <thead>
          <tr>
            <th>created</th>
            <th>files</th>
            <th>status</th>
            <th className="num">records</th>
            <th className="num">issues</th>
            <th className="num">detections</th>
            <th>evidence time span</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {jobs.map((j) => (
            <JobRow
              key={j.id}
              job={j}
              open={open === j.id}
              toggle={() => setOpen(open === j.id ? undefined : j.id)}
            >
              {session.can('jobs:control') &&
                (j.status === 'queued' || j.status === 'running' ? (
                  <button
                    type="button"
                    disabled={action.busy}
                    onClick={() =>
                      action.run(() => post(`/api/jobs/${encodeURIComponent(j.id)}/cancel`).then(onChanged))
                    }
                  >
                    Cancel
                  </button>
                ) : (
                  <button
                    type="button"
                    disabled={action.busy}
                    onClick={() =>
                      action.run(() => post(`/api/jobs/${encodeURIComponent(j.id)}/rerun`).then(onChanged))
                    }
                  >
                    Run again
                  </button>
                ))}
            </JobRow>
          ))}
        </tbody>
      </table>
    </>
  );
}

function JobRow({
  job,
  open,
  toggle,
  children,
}: {
  job: Job;
  open: boolean;
  toggle: () => void;
  children: ReactNode;
}): ReactNode {
  const names = job.paths.map((p) => p.split(/[\\/]/).pop() ?? p);
  return (
    <>
      <tr>
        <td>{utc(job.createdAt)}</td>
        <td title={job.paths.join('\n')}>
          {names.slice(0, 3).join(', ')}
          {names.length > 3 ? ` and ${names.length - 3} more` : ''}
        </td>
        <td>
          <Status status={job.status} />
        </td>
        <td className="num">{job.records}</td>
        <td className="num">
          <IssueCount count={job.issues} open={open} toggle={toggle} />
        </td>
        <td className="num">{job.detections}</td>
        <td>
          {job.firstTimestamp === null ? '—' : `${utc(job.firstTimestamp)} – ${utc(job.lastTimestamp)}`}
        </td>
        <td>{children}</td>
      </tr>
      {open && <IssueRow samples={job.issueSamples} columns={8} />}
    </>
  );
}
