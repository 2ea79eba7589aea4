output "cluster_endpoint" {
  description = "API server URL: the portal's kubernetes.clusterLocatorMethods[].clusters[].url"
  value       = module.eks.cluster_endpoint
}

output "cluster_certificate_authority_data" {
  description = "The portal's caData for this cluster"
  value       = module.eks.cluster_certificate_authority_data
}
