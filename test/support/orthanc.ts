import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's paths (what .ci/run installs); WSI_ORTHANC and WSI_ORTHANC_DICOMWEB name others (Homebrew, a build of your own). */
const ORTHANC = process.env.WSI_ORTHANC ?? '/usr/sbin/Orthanc';
const DICOMWEB_PLUGIN = process.env.WSI_ORTHANC_DICOMWEB ?? '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

export interface OrthancServer {
  /** The DICOMweb service root, e.g. http://127.0.0.1:40123/dicom-web */
  dicomweb: string;
  rest: string;
  /** Uploads a Part 10 file through Orthanc's REST API. */
  upload(path: string): Promise<void>;
  /** The study and series UIDs of the series holding an uploaded SOP instance. */
  seriesOf(sopInstanceUid: string): Promise<{ study: string; series: string }>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A real Orthanc with its DICOMweb plugin (Debian `orthanc`, `orthanc-dicomweb`; .ci/run installs them), in a temporary folder. */
export async function startOrthanc(): Promise<OrthancServer> {
  for (const path of [ORTHANC, DICOMWEB_PLUGIN]) {
    if (!existsSync(path)) {
      throw new Error(`${path} is missing: apt-get install -y orthanc orthanc-dicomweb (.ci/run does this), or set WSI_ORTHANC / WSI_ORTHANC_DICOMWEB`);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'wsi-orthanc-'));
  const [http, dicom] = [await freePort(), await freePort()];
  const config = {
    Name: 'wsi-stream-tests',
    HttpPort: http,
    DicomPort: dicom,
    StorageDirectory: join(dir, 'db'),
    IndexDirectory: join(dir, 'db'),
    Plugins: [DICOMWEB_PLUGIN],
    DicomWeb: { Enable: true, Root: '/dicom-web/' },
    AuthenticationEnabled: false,
    RemoteAccessAllowed: false,
    HttpCompressionEnabled: false,
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  const child: ChildProcess = spawn(ORTHANC, [join(dir, 'config.json')], { stdio: 'ignore' });
  const rest = `http://127.0.0.1:${http}`;
  for (let i = 0; ; i++) {
    const up = await fetch(`${rest}/system`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (i > 100 || child.exitCode !== null) throw new Error(`Orthanc did not start on port ${http}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    dicomweb: `${rest}/dicom-web`,
    rest,
    async upload(path) {
      const response = await fetch(`${rest}/instances`, { method: 'POST', body: readFileSync(path) });
      if (!response.ok) throw new Error(`Orthanc refused ${path}: HTTP ${response.status}`);
    },
    async seriesOf(sopInstanceUid) {
      const found = (await (await fetch(`${rest}/tools/lookup`, { method: 'POST', body: sopInstanceUid })).json()) as Array<{ ID: string; Type: string }>;
      const instance = (await (await fetch(`${rest}/instances/${found[0]!.ID}/tags?simplify`)).json()) as Record<string, string>;
      return { study: instance.StudyInstanceUID!, series: instance.SeriesInstanceUID! };
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
