// Files that hold credentials (a kubeconfig with a bearer token): created
// new, mode 0600, never through a symbolic link, and removed only while they
// are still the file that was written.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** What was written: where, and which file it is (to remove only that one). */
export interface PrivateFile {
  readonly path: string;
  /**
   * Removes the file if the path still names the file written (same device
   * and inode): 'removed'; 'changed' when something else is there now (left
   * alone); 'gone' when nothing is.
   */
  remove(): Promise<'removed' | 'changed' | 'gone'>;
}

/** Why a private file could not be written: `cannot write PATH: REASON` (never the content). */
export class PrivateFileError extends Error {
  override readonly name = 'PrivateFileError';
  readonly path: string;
  readonly reason: string;
  constructor(path: string, reason: string, options?: ErrorOptions) {
    super(`cannot write ${path}: ${reason}`, options);
    this.path = path;
    this.reason = reason;
  }
}

interface FileId {
  dev: number;
  ino: number;
}

// O_EXCL makes open fail on any existing path, a symbolic link included (even
// a dangling one); O_NOFOLLOW says the same where O_EXCL is not enough.
const createFlags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Writes `content` to a new file at `path`, mode 0600 whatever the umask.
 * An existing path is refused, unless `force` is set and it is a regular
 * file: then a new file is written in the same directory and renamed over
 * it (atomic; other hard links to the old file keep the old content). A
 * symbolic link is always refused, also with `force`: the file it points to
 * is never written. Throws a PrivateFileError saying what is in the way.
 */
export async function writePrivateFile(path: string, content: string, options: { force?: boolean } = {}): Promise<PrivateFile> {
  try {
    return fileAt(path, await createExclusive(path, content));
  } catch (err) {
    if (!isCode(err, 'EEXIST') && !isCode(err, 'ELOOP')) throw writeError(path, err);
  }
  const existing = await lstat(path).catch((err: unknown) => {
    throw writeError(path, err);
  });
  if (existing.isSymbolicLink()) throw new PrivateFileError(path, 'it is a symbolic link, never written through (remove the link or choose another path)');
  if (existing.isDirectory()) throw new PrivateFileError(path, 'it is a directory');
  if (options.force !== true) throw new PrivateFileError(path, 'it already exists (give --force to replace it, or choose another path)');
  if (!existing.isFile()) throw new PrivateFileError(path, 'it exists and is not a regular file');
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let id: FileId;
  try {
    id = await createExclusive(temporary, content);
  } catch (err) {
    throw writeError(path, err);
  }
  try {
    await rename(temporary, path);
  } catch (err) {
    await removeIfSame(temporary, id);
    throw writeError(path, err);
  }
  return fileAt(path, id);
}

function fileAt(path: string, id: FileId): PrivateFile {
  return { path, remove: () => removeIfSame(path, id) };
}

async function createExclusive(path: string, content: string): Promise<FileId> {
  const handle = await open(path, createFlags, 0o600);
  let id: FileId | undefined;
  try {
    const { dev, ino } = await handle.stat();
    id = { dev, ino };
    await handle.chmod(0o600); // the umask may have taken bits off the mode open was given
    await handle.writeFile(content);
  } catch (err) {
    await handle.close();
    if (id !== undefined) await removeIfSame(path, id);
    throw err;
  }
  await handle.close();
  return id;
}

async function removeIfSame(path: string, id: FileId): Promise<'removed' | 'changed' | 'gone'> {
  let now;
  try {
    now = await lstat(path);
  } catch (err) {
    if (isCode(err, 'ENOENT')) return 'gone';
    throw err;
  }
  if (now.dev !== id.dev || now.ino !== id.ino) return 'changed';
  try {
    await unlink(path);
  } catch (err) {
    if (isCode(err, 'ENOENT')) return 'gone';
    throw err;
  }
  return 'removed';
}

function isCode(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === code;
}

function writeError(path: string, err: unknown): PrivateFileError {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const why =
    code === 'ENOENT' ? 'no such directory'
    : code === 'ENOTDIR' ? 'a parent is not a directory'
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'EROFS' ? 'read-only file system'
    : code === 'ENOSPC' ? 'no space left on the device'
    : err instanceof Error ? err.message
    : String(err);
  return new PrivateFileError(path, why, { cause: err });
}
