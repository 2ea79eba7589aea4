# The platform's EKS cluster: a VPC over three zones, the control plane, and two managed node
# groups — `general` for services, pipelines and the platform's agents, `gpu` (1-GPU machines) and
# `gpu-8x` (8-GPU machines) for model servers (NVIDIA AMI, labelled and tainted so that only pods
# asking for GPUs land there). The add-ons are installed by helmfile.yaml, the Gateway and the
# Kafka cluster by manifests/ (README.md).

data "aws_availability_zones" "available" {
  state = "available"
}

locals {
  azs = slice(data.aws_availability_zones.available.names, 0, 3)
  tags = {
    "platform"   = "data-ml"
    "managed-by" = "terraform"
  }
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 5.16"

  name            = var.cluster_name
  cidr            = var.vpc_cidr
  azs             = local.azs
  private_subnets = [for i, az in local.azs : cidrsubnet(var.vpc_cidr, 4, i)]
  public_subnets  = [for i, az in local.azs : cidrsubnet(var.vpc_cidr, 8, 48 + i)]

  enable_nat_gateway   = true
  single_nat_gateway   = false
  enable_dns_hostnames = true

  public_subnet_tags  = { "kubernetes.io/role/elb" = "1" }
  private_subnet_tags = { "kubernetes.io/role/internal-elb" = "1" }
  tags                = local.tags
}

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.31"

  cluster_name    = var.cluster_name
  cluster_version = var.kubernetes_version
  vpc_id          = module.vpc.vpc_id
  subnet_ids      = module.vpc.private_subnets

  cluster_endpoint_public_access           = false
  enable_cluster_creator_admin_permissions = true

  cluster_addons = {
    coredns                = {}
    kube-proxy             = {}
    vpc-cni                = {}
    aws-ebs-csi-driver     = {}
    eks-pod-identity-agent = {}
  }

  # One instance shape per node group: the cluster autoscaler sizes a group from one of its
  # instance types, so a group mixing 1-GPU and 8-GPU machines could add a 1-GPU node for a pod
  # that needs 8. `use_name_prefix = false` keeps each group's name as written, so EKS's
  # `eks.amazonaws.com/nodegroup` label (which the templates select on) is `general`, `gpu`, ...
  # rather than `general-<timestamp>`.
  eks_managed_node_groups = {
    general = {
      use_name_prefix = false
      ami_type        = "AL2023_x86_64_STANDARD"
      instance_types  = var.general_node_group.instance_types
      min_size        = var.general_node_group.min_size
      max_size        = var.general_node_group.max_size
      desired_size    = var.general_node_group.desired_size
      labels = {
        "node-role" = "general"
      }
    }

    # Model servers of one GPU (A10G).
    gpu = {
      use_name_prefix = false
      ami_type        = "AL2023_x86_64_NVIDIA"
      instance_types  = var.gpu_node_group.instance_types
      min_size        = var.gpu_node_group.min_size
      max_size        = var.gpu_node_group.max_size
      desired_size    = var.gpu_node_group.desired_size
      disk_size       = 200
      labels = {
        "node-role"              = "gpu"
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

    # Model servers of up to eight GPUs (A100).
    gpu-8x = {
      use_name_prefix = false
      ami_type        = "AL2023_x86_64_NVIDIA"
      instance_types  = var.gpu_8x_node_group.instance_types
      min_size        = var.gpu_8x_node_group.min_size
      max_size        = var.gpu_8x_node_group.max_size
      desired_size    = var.gpu_8x_node_group.desired_size
      disk_size       = 500
      labels = {
        "node-role"              = "gpu"
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

  tags = local.tags
}
