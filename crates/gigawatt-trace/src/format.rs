//! The trace formats this crate reads, their names, and the columns each needs (for the errors
//! that list them).

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// A published trace layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "&'static str")]
pub enum Format {
    /// The Tiresias simulator's CSV (SymbioticLab/Tiresias, `simulator/*_job.csv`).
    Tiresias,
    /// Microsoft Philly `cluster_job_log` (JSON; msr-fiddle/philly-traces).
    Philly,
    /// SenseTime Helios `cluster_log.csv`, and the AcmeTrace (Seren, Kalos) CSVs of the same
    /// family.
    Helios,
    /// Alibaba PAI 2020 (`cluster-trace-gpu-v2020`): `pai_job_table` joined with
    /// `pai_task_table`.
    PaiJob,
    /// Alibaba GPU 2023 "openb" pod list (`cluster-trace-gpu-v2023`).
    Gpu2023,
    /// gigawatt's own CSV: `submit_s,gpus,duration_s` and optional columns.
    Generic,
}

impl Format {
    /// Every format, in the order errors list them.
    pub const ALL: [Format; 6] =
        [Format::Tiresias, Format::Philly, Format::Helios, Format::PaiJob, Format::Gpu2023, Format::Generic];

    /// The format's name on the command line and in output.
    pub fn name(self) -> &'static str {
        match self {
            Format::Tiresias => "tiresias",
            Format::Philly => "philly",
            Format::Helios => "helios",
            Format::PaiJob => "pai2020",
            Format::Gpu2023 => "gpu2023",
            Format::Generic => "csv",
        }
    }

    /// What a file of this format looks like: the columns (or keys) it needs.
    pub fn needs(self) -> &'static str {
        match self {
            Format::Tiresias => "CSV with header `job_id,num_gpu,submit_time,iterations,model_name,duration,interval`",
            Format::Philly => {
                "JSON array of jobs {status, vc, jobid, submitted_time, user, attempts[{start_time, end_time, detail[{ip, gpus}]}]}"
            }
            Format::Helios => {
                "CSV with header `job_id,user,(vc,)gpu_num,cpu_num,node_num,state,submit_time,start_time,end_time,duration,queue` (AcmeTrace adds `type,gpu_time`)"
            }
            Format::PaiJob => {
                "pai_job_table.csv `job_name,inst_id,user,status,start_time,end_time` (header optional) with pai_task_table.csv `job_name,task_name,inst_num,status,start_time,end_time,plan_cpu,plan_mem,plan_gpu,gpu_type` beside it"
            }
            Format::Gpu2023 => {
                "CSV with header `name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time`"
            }
            Format::Generic => {
                "CSV with header `submit_s,gpus,duration_s` and optional `id,user,priority,type,gpu_type,status`"
            }
        }
    }

    /// One line per format: its name and what it needs (for help texts).
    pub fn list() -> String {
        Format::ALL.iter().map(|f| format!("  {:<9} {}", f.name(), f.needs())).collect::<Vec<_>>().join("\n")
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl From<Format> for &'static str {
    fn from(format: Format) -> &'static str {
        format.name()
    }
}

/// A format name that is not one of [`Format::ALL`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownFormat(pub String);

impl fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        write!(f, "unknown trace format `{}`: expected one of {}", self.0, names.join(", "))
    }
}

impl std::error::Error for UnknownFormat {}

impl FromStr for Format {
    type Err = UnknownFormat;

    /// Parses a format name (case-insensitive); `pai`, `acme`/`acmetrace`, `generic` and
    /// `openb` are accepted as aliases.
    fn from_str(s: &str) -> Result<Format, UnknownFormat> {
        let lower = s.trim().to_ascii_lowercase();
        let alias = match lower.as_str() {
            "pai" | "pai-2020" => Some(Format::PaiJob),
            "acme" | "acmetrace" => Some(Format::Helios),
            "generic" => Some(Format::Generic),
            "openb" | "gpu-2023" => Some(Format::Gpu2023),
            _ => None,
        };
        alias
            .or_else(|| Format::ALL.into_iter().find(|f| f.name() == lower))
            .ok_or_else(|| UnknownFormat(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back() {
        for format in Format::ALL {
            assert_eq!(format.name().parse::<Format>(), Ok(format));
        }
    }

    #[test]
    fn an_unknown_name_lists_all_names() {
        let err = "slurm".parse::<Format>().unwrap_err().to_string();
        for format in Format::ALL {
            assert!(err.contains(format.name()), "{err}");
        }
    }
}
