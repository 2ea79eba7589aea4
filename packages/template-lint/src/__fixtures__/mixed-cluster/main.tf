# A cluster definition with the faults the lint finds in the definition itself: a GPU node group
# mixing 1-GPU and 8-GPU machines, names left to the EKS module's prefix, and a Kafka cluster
# whose operator nothing installs.
module "eks" {
  source       = "terraform-aws-modules/eks/aws"
  cluster_name = "mixed"

  eks_managed_node_groups = {
    general = {
      use_name_prefix = false
      ami_type        = "AL2023_x86_64_STANDARD"
      instance_types  = ["m5.xlarge"]
    }
    gpu = {
      ami_type       = "AL2023_x86_64_NVIDIA"
      instance_types = ["g5.xlarge", "p4d.24xlarge"]
      labels = {
        "nvidia.com/gpu.present" = "true"
      }
      taints = {
        gpu = {
          key    = "nvidia.com/gpu"
          value  = "present"
          effect = "NO_SCHEDULE"
        }
      }
    }
  }
}
