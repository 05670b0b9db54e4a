#!/bin/sh
# The nightly backup (doconnect-backup.service): dump, encrypt for the off-site key,
# copy off the machine, keep a week locally (encrypted only). Any failure fails the unit
# (systemd reports it; monitor `systemctl is-failed doconnect-backup`).
set -eu
dir=/var/lib/doconnect/backups
stamp=$(date +%Y%m%d-%H%M%S)
plain="$dir/doconnect-$stamp.dump"
/opt/doconnect/.venv/bin/doconnect backup --out "$plain"
# age: only the holder of the off-site private key can read it; the plain dump goes.
age --recipient "$DOCONNECT_BACKUP_RECIPIENT" --output "$plain.age" "$plain"
rm -f "$plain"
rsync --archive "$plain.age" "$DOCONNECT_BACKUP_REMOTE"
# The erasure log (pseudonyms and times of every Art. 17 erasure), beside the dump: after
# a restore, `doconnect privacy replay-erasures` erases those persons again.
log="$dir/erasures-$stamp.csv"
/opt/doconnect/.venv/bin/doconnect privacy erasures --out "$log"
age --recipient "$DOCONNECT_BACKUP_RECIPIENT" --output "$log.age" "$log"
rm -f "$log"
rsync --archive "$log.age" "$DOCONNECT_BACKUP_REMOTE"
find "$dir" -name 'doconnect-*.dump.age' -mtime +"${DOCONNECT_BACKUP_KEEP_DAYS:-7}" -delete
find "$dir" -name 'erasures-*.csv.age' -mtime +"${DOCONNECT_BACKUP_KEEP_DAYS:-7}" -delete
