/** Sign-in, and the password change a one-time password forces before anything else. */
import { useState, type FormEvent, type ReactNode } from 'react';
import { post, setCsrf } from '../api';
import { errorText } from '../format';

export function SignIn({ onSignedIn }: { onSignedIn: () => void }): ReactNode {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    post<{ csrfToken: string }>('/api/auth/login', { username, password }).then(
      (r) => {
        setCsrf(r.csrfToken);
        setBusy(false);
        onSignedIn();
      },
      (err: unknown) => {
        setBusy(false);
        setError(errorText(err));
      },
    );
  };
  return (
    <main className="signin" id="main">
      <form onSubmit={submit} aria-label="Sign in">
        <h1>Vigil</h1>
        <label>
          User name
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
            autoFocus
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {error && (
          <p className="problem" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

export function PasswordChange({
  username,
  onChanged,
}: {
  username: string;
  onChanged: () => void;
}): ReactNode {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | undefined>();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (next !== again) {
      setError('The two new passwords differ.');
      return;
    }
    post('/api/auth/password', { current, new: next })
      // The change ends every session of this account, this one too: sign in again with the new password.
      .then(() => post<{ csrfToken: string }>('/api/auth/login', { username, password: next }))
      .then(
        (r) => {
          setCsrf(r.csrfToken);
          onChanged();
        },
        (err: unknown) => setError(errorText(err)),
      );
  };
  return (
    <main className="signin" id="main">
      <form onSubmit={submit} aria-label="Change your password">
        <h1>Choose your own password</h1>
        <p>Your password was set for one use only. Choose a new one (12 characters or more) to go on.</p>
        <label>
          One-time password
          <input
            name="current"
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            required
            autoFocus
          />
        </label>
        <label>
          New password
          <input
            name="new"
            type="password"
            autoComplete="new-password"
            minLength={12}
            value={next}
            onChange={(e) => setNext(e.target.value)}
            required
          />
        </label>
        <label>
          New password again
          <input
            name="again"
            type="password"
            autoComplete="new-password"
            minLength={12}
            value={again}
            onChange={(e) => setAgain(e.target.value)}
            required
          />
        </label>
        {error && (
          <p className="problem" role="alert">
            {error}
          </p>
        )}
        <button type="submit">Change password</button>
      </form>
    </main>
  );
}
