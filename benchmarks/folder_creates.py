# CPU (user+system) to create a year's bronze files in a folder tree like the lake's (12,724 objects,
# ~3 an object folder), one file an object or two (object + .meta sidecar in a parallel tree),
# right after deleting a previous such tree (what `run` does) or with no deletion in the last 40 s.
import os, shutil, sys, resource, time
OBJECTS, PER_FOLDER = 12724, 3
# usage: python3 benchmarks/folder_creates.py del|fresh 1|2 [FOLDER]  (FOLDER: ./folder-creates; on the lake's file system)
root = os.path.abspath(sys.argv[3] if len(sys.argv) > 3 else 'folder-creates')
def sys_cpu():
    r = resource.getrusage(resource.RUSAGE_SELF); return r.ru_stime + r.ru_utime
def make(where, files_an_object):
    data = b'x' * 1800; meta = b'y' * 240
    for i in range(OBJECTS):
        d = f'{where}/bronze/t{i % 11}/dt={i // (11 * PER_FOLDER)}'
        m = f'{where}/.meta/bronze/t{i % 11}/dt={i // (11 * PER_FOLDER)}'
        if i % (11 * PER_FOLDER) < 11:
            os.makedirs(d, exist_ok=True)
            if files_an_object == 2: os.makedirs(m, exist_ok=True)
        with open(f'{d}/o{i}.jsonl', 'wb') as f: f.write(data)
        if files_an_object == 2:
            with open(f'{m}/o{i}.jsonl.json', 'wb') as f: f.write(meta)
mode, files = sys.argv[1], int(sys.argv[2])
shutil.rmtree(root, ignore_errors=True); os.makedirs(root)
make(root + '/old', 2)          # the previous run's tree
if mode == 'fresh':
    shutil.rmtree(root + '/old'); time.sleep(40)
else:
    shutil.rmtree(root + '/old')
t = sys_cpu(); make(root + '/new', files); c = sys_cpu() - t
print(f'{mode} {files} file(s) an object: {c:.2f} CPU s, {c / OBJECTS * 1e3:.3f} ms an object')
shutil.rmtree(root, ignore_errors=True)
