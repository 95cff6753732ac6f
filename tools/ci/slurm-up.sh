#!/bin/bash
# A single-node SLURM on this machine for the cluster tests, without systemd: munged, slurmctld and
# slurmd started by hand. Run as root. Writes the pid files of what it started to $1 (one a line),
# which slurm-down.sh stops, by pid file only. Exit 3 = the packages cannot be installed (skip).
set -euo pipefail
STARTED=${1:?usage: slurm-up.sh STARTED_PIDFILES_LIST}
export DEBIAN_FRONTEND=noninteractive
SP=/var/spool/rnnsweep-slurm-ci; LOG=/var/log/rnnsweep-slurm-ci
PKGS="slurmctld slurmd slurm-client munge"
: > "$STARTED"

if ! dpkg -s $PKGS >/dev/null 2>&1; then
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends $PKGS >/dev/null; } || exit 3
fi
# Never take over a real cluster's configuration.
if [ -s /etc/slurm/slurm.conf ] && ! grep -q '^ClusterName=rnnsweep-ci$' /etc/slurm/slurm.conf; then
  echo "slurm-up: /etc/slurm/slurm.conf belongs to another cluster; not touching it" >&2; exit 3
fi

# munge: the package made a key; start munged unless one already answers.
[ -s /etc/munge/munge.key ] || dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
chown munge:munge /etc/munge/munge.key; chmod 0400 /etc/munge/munge.key
install -d -o munge -g munge -m 0755 /run/munge
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged --force
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
  echo /run/munge/munged.pid >> "$STARTED"
fi

mkdir -p $SP/ctld $SP/d $LOG; rm -f $LOG/*.log
HOST=$(hostname -s)
getent hosts "$HOST" >/dev/null || echo "127.0.0.1 $HOST" >> /etc/hosts
NODELINE=$(slurmd -C | head -1)
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=rnnsweep-ci
SlurmctldHost=${HOST}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=${SP}/ctld
SlurmdSpoolDir=${SP}/d
SlurmctldPidFile=/run/slurmctld-rnnsweep-ci.pid
SlurmdPidFile=/run/slurmd-rnnsweep-ci.pid
SlurmctldLogFile=${LOG}/slurmctld.log
SlurmdLogFile=${LOG}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=${LOG}/jobcomp.log
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=100000
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
MinJobAge=3600
KillWait=5
${NODELINE} State=UNKNOWN
PartitionName=debug Nodes=${HOST} Default=YES MaxTime=INFINITE State=UP
CONF

# Both daemonize and write their pid files; -c starts without old jobs.
/usr/sbin/slurmctld -c
echo /run/slurmctld-rnnsweep-ci.pid >> "$STARTED"
/usr/sbin/slurmd
echo /run/slurmd-rnnsweep-ci.pid >> "$STARTED"
for _ in $(seq 120); do sinfo -h -o '%T' 2>/dev/null | grep -qx idle && break; sleep 0.25; done
sinfo -h -o '%T' | grep -qx idle || { tail -20 $LOG/slurmctld.log $LOG/slurmd.log; echo "slurm-up: node not idle" >&2; exit 1; }
srun -n 1 -t 1 true
echo "slurm up: $(sinfo -h -o '%P %D %T %C')"
