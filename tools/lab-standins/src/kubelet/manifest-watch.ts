import fs from 'node:fs';
import { type HostEnv, hostPath, KubePaths } from '../common/host-env';

/**
 * The kubelet's file source watches the static pod folder with inotify and lists it again
 * periodically besides (k/k pkg/kubelet/config/file_linux.go startWatch, file.go
 * listConfig; v1.28-v1.34). This is the inotify half: `onChange` runs on any event in
 * /etc/kubernetes/manifests; the periodic sync is the re-list. The folder may not exist yet
 * (a worker, a kubelet before kubeadm): then nothing is watched and `ensure` tries again.
 */
export class ManifestWatch {
  private watcher: fs.FSWatcher | undefined;

  constructor(
    private readonly host: HostEnv,
    private readonly onChange: () => void,
  ) {}

  /** Starts watching if the folder exists and no watch runs yet. */
  ensure(): void {
    if (this.watcher) return;
    const dir = hostPath(this.host, KubePaths.manifestsDir);
    if (!fs.existsSync(dir)) return;
    try {
      this.watcher = fs.watch(dir, () => this.onChange());
      this.watcher.on('error', () => this.close());
    } catch {
      this.watcher = undefined;
    }
  }

  /** Stops watching (the folder went away, or the kubelet stops). */
  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}
