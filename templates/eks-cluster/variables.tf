variable "region" {
  description = "AWS region of the platform"
  type        = string
  default     = "eu-west-1"
}

variable "cluster_name" {
  description = "Name of the EKS cluster (also the portal's kubernetes cluster name)"
  type        = string
  default     = "eks-data-platform"
}

variable "kubernetes_version" {
  description = "EKS control-plane version"
  type        = string
  default     = "1.34"
}

variable "vpc_cidr" {
  type    = string
  default = "10.0.0.0/16"
}

variable "general_node_group" {
  description = "Sizes of the general-purpose node group"
  type = object({
    instance_types = list(string)
    min_size       = number
    max_size       = number
    desired_size   = number
  })
  default = {
    instance_types = ["m5.xlarge"]
    min_size       = 3
    max_size       = 12
    desired_size   = 3
  }
}

variable "gpu_node_group" {
  description = "Sizes of the 1-GPU node group (A10G; scales to zero when no model server runs)"
  type = object({
    instance_types = list(string)
    min_size       = number
    max_size       = number
    desired_size   = number
  })
  default = {
    instance_types = ["g5.xlarge"]
    min_size       = 0
    max_size       = 4
    desired_size   = 1
  }
}

variable "gpu_8x_node_group" {
  description = "Sizes of the 8-GPU node group (A100; scales to zero when no model server runs)"
  type = object({
    instance_types = list(string)
    min_size       = number
    max_size       = number
    desired_size   = number
  })
  default = {
    instance_types = ["p4d.24xlarge"]
    min_size       = 0
    max_size       = 2
    desired_size   = 1
  }
}
