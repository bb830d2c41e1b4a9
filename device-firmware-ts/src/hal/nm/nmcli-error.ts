/**
 * nmcli's exit codes (nmcli(1) "EXIT STATUS") as one clear sentence each. Under LC_ALL=C.UTF-8
 * the English stderr is also read where one code covers several causes (a wrong password and a
 * network out of range are both 4; a missing device and a missing profile are both 10).
 */
export type NmErrorKind =
  | 'failed'
  | 'bad-input'
  | 'timeout'
  | 'activation-failed'
  | 'wrong-password'
  | 'deactivation-failed'
  | 'disconnect-failed'
  | 'delete-failed'
  | 'not-running'
  | 'version-mismatch'
  | 'not-found'
  | 'no-network'
  | 'no-device'
  | 'radio-off'
  | 'no-nmcli';

const SENTENCES: Record<number, [NmErrorKind, string]> = {
  1: ['failed', 'NetworkManager refused the request'],
  2: ['bad-input', 'nmcli rejected the request as invalid'],
  3: ['timeout', 'NetworkManager did not finish in time'],
  4: ['activation-failed', 'the Wi-Fi connection could not be brought up (out of range, or the network refused the unit)'],
  5: ['deactivation-failed', 'the Wi-Fi connection could not be taken down'],
  6: ['disconnect-failed', 'the Wi-Fi device could not be disconnected'],
  7: ['delete-failed', 'the saved network could not be deleted'],
  8: ['not-running', 'NetworkManager is not running on the unit'],
  9: ['version-mismatch', 'nmcli and NetworkManager versions do not match'],
  10: ['not-found', 'no such network, saved network or Wi-Fi device'],
};

export class NmError extends Error {
  constructor(
    readonly kind: NmErrorKind,
    message: string,
    readonly exitCode: number | null,
  ) {
    super(message);
    this.name = 'NmError';
  }
}

/** The first `Error: ...` line of nmcli's stderr, shortened, without the hint lines. */
function detailOf(stderr: string): string {
  const line = stderr.split('\n').find((l) => l.startsWith('Error:')) ?? stderr.split('\n')[0] ?? '';
  return line.replace(/^Error:\s*/, '').replace(/\.$/, '').slice(0, 200);
}

/** An NmError for nmcli exiting with `code`; `what` says what was being done ("scanning"). */
export function nmErrorFor(code: number, stderr: string, what: string): NmError {
  const known = SENTENCES[code];
  const detail = detailOf(stderr);
  if (!known) return new NmError('failed', `${what}: nmcli exited with ${code}${detail ? ` (${detail})` : ''}`, code);
  let [kind, sentence] = known;
  if (code === 1 && /Could not create NMClient object/i.test(stderr)) {
    [kind, sentence] = ['not-running', 'NetworkManager cannot be reached (D-Bus is not available)'];
  }
  if (code === 4 && /secrets were required|802-1x supplicant|psk|password/i.test(stderr)) {
    [kind, sentence] = ['wrong-password', 'the network refused the password'];
  }
  if (code === 10 && /No network with SSID/i.test(stderr)) [kind, sentence] = ['no-network', 'no network with that name is in range'];
  if (code === 10 && /Device '.*' (not found|is not a Wi-Fi device)/i.test(stderr)) [kind, sentence] = ['no-device', 'the unit has no such Wi-Fi device'];
  return new NmError(kind, `${what}: ${sentence}${detail ? ` (nmcli: ${detail})` : ''}`, code);
}
