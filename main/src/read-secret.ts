/**
 * A secret typed at a prompt without echo (a terminal), or the first line of stdin (a pipe or
 * file: `pitwall wifi add unit Net < pw.txt`). Never taken from argv, where other users and the
 * shell history would see it.
 */
export async function readSecret(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let text = '';
    stdin.setEncoding('utf8');
    for await (const chunk of stdin) {
      text += chunk as string;
      if (text.includes('\n')) break;
    }
    stdin.pause();
    return text.split('\n')[0]!.replace(/\r$/, '');
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let typed = '';
      const onData = (s: string) => {
        for (const c of s) {
          if (c === '\r' || c === '\n') {
            stdin.off('data', onData);
            return resolve(typed);
          }
          if (c === '\u0003') {
            stdin.off('data', onData);
            return reject(new Error('cancelled'));
          }
          if (c === '\u007f' || c === '\b') typed = typed.slice(0, -1);
          else typed += c;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}
